/** The example app as a named module: it reads the SDK's API module like any modular app. */
module example.consumer {
    requires dev.charlstm.runtime;
    requires java.management;
}

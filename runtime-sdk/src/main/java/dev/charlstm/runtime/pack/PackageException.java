package dev.charlstm.runtime.pack;

/**
 * A model package is missing, malformed or inconsistent: the message names the file and the problem (wrong
 * format or version, a model.onnx whose SHA-256 differs from the one recorded, a vocabulary that disagrees with
 * the dimensions, ...). Immutable.
 */
public class PackageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param message what is wrong, naming the file */
    public PackageException(String message) {
        super(message);
    }

    /**
     * @param message what is wrong, naming the file
     * @param cause the underlying failure
     */
    public PackageException(String message, Throwable cause) {
        super(message, cause);
    }
}

package dev.charlstm.trainer.run;

import java.nio.file.Path;

/** A process that takes a run folder's lock, says so, and waits to be killed: for {@link RunLockTest}. */
public final class RunLockHolder {
    private RunLockHolder() {}

    /** @param args the run folder */
    public static void main(String[] args) throws InterruptedException {
        RunLock.acquire(Path.of(args[0]), "hold it");
        System.out.println("locked");
        System.out.flush();
        Thread.sleep(120_000);
    }
}

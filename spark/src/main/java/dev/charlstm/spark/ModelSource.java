package dev.charlstm.spark;

import dev.charlstm.runtime.pack.ModelPackage;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;

/**
 * Where executors get the model package from: bytes the driver broadcasts (works on any cluster, nothing to ship),
 * a folder every executor can read (a shared file system, or files shipped with the job), or a classpath resource
 * folder (a package inside a jar given to spark-submit). Each executor JVM reads it once ({@link ExecutorModels}).
 *
 * <p>Immutable, serializable and thread-safe.
 */
public abstract class ModelSource implements Serializable {
    private static final long serialVersionUID = 1L;

    ModelSource() {}

    /** @return the package, read and validated (on an executor, or on the driver to fail early) */
    abstract ModelPackage read();

    /** @return what identifies this source within a JVM: equal keys share one loaded model */
    abstract String key();

    /**
     * @param session the session whose executors receive the bytes
     * @param pkg a package read on the driver
     * @return a source that broadcasts the package's bytes to the executors
     */
    public static ModelSource broadcast(SparkSession session, ModelPackage pkg) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(session.sparkContext());
        byte[][] files = {pkg.manifestJson().getBytes(StandardCharsets.UTF_8), pkg.modelBytes(), pkg.sequenceBytes()};
        return new Broadcasted(
                jsc.broadcast(files), pkg.source(), pkg.manifest().modelSha256());
    }

    /**
     * @param dir a package folder at the same path on the driver and every executor
     * @return a source that reads it there
     */
    public static ModelSource path(String dir) {
        return new Folder(dir);
    }

    /**
     * @param folder a classpath resource folder, e.g. {@code models/moby-dick}
     * @return a source that reads it through the executors' class loader
     */
    public static ModelSource classpath(String folder) {
        return new Resource(folder);
    }

    private static final class Broadcasted extends ModelSource {
        private static final long serialVersionUID = 1L;
        private final Broadcast<byte[][]> files;
        private final String name;
        private final String sha256;

        Broadcasted(Broadcast<byte[][]> files, String name, String sha256) {
            this.files = files;
            this.name = name;
            this.sha256 = sha256;
        }

        @Override
        ModelPackage read() {
            byte[][] f = files.value();
            return ModelPackage.read(f[0], f[1], f[2], name + " (broadcast)");
        }

        @Override
        String key() {
            return "broadcast:" + sha256;
        }
    }

    private static final class Folder extends ModelSource {
        private static final long serialVersionUID = 1L;
        private final String dir;

        Folder(String dir) {
            this.dir = dir;
        }

        @Override
        ModelPackage read() {
            return ModelPackage.read(Path.of(dir));
        }

        @Override
        String key() {
            return "path:" + Path.of(dir).toAbsolutePath().normalize();
        }
    }

    private static final class Resource extends ModelSource {
        private static final long serialVersionUID = 1L;
        private final String folder;

        Resource(String folder) {
            this.folder = folder;
        }

        @Override
        ModelPackage read() {
            return ModelPackage.read(Thread.currentThread().getContextClassLoader(), folder);
        }

        @Override
        String key() {
            return "classpath:" + folder;
        }
    }
}

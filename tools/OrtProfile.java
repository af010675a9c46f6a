import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * ONNX Runtime's per-node profile of a package's step graph: time per node kind per step, for one batch size.
 *
 * <pre>java -cp cli/target/charlstm.jar tools/OrtProfile.java PACKAGE_DIR [BATCH] [STEPS] [L] [H]</pre>
 *
 * Runs STEPS steps (after 200 unprofiled warm-up steps in another session) with 1 intra-op thread and prints, per
 * operator type, the mean microseconds per step and the number of nodes, then the mean whole-run time per step.
 */
public class OrtProfile {
    public static void main(String[] args) throws Exception {
        Path pkg = Path.of(args[0]);
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        int steps = args.length > 2 ? Integer.parseInt(args[2]) : 2000;
        JsonObject vocab = JsonParser.parseString(Files.readString(pkg.resolve("vocab.json"))).getAsJsonObject();
        JsonObject model = vocab.getAsJsonObject("model");
        int layers = model.get("layers").getAsInt();
        int hidden = model.get("hidden_size").getAsInt();
        int v = model.get("vocab_size").getAsInt();
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        byte[] bytes = Files.readAllBytes(pkg.resolve("model.onnx"));
        Path prefix = Files.createTempDirectory("ortprof").resolve("step");
        OrtSession.SessionOptions so = new OrtSession.SessionOptions();
        so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        so.setIntraOpNumThreads(1);
        so.setInterOpNumThreads(1);
        boolean profile = System.getenv("ORT_PROFILE_OFF") == null;
        if (profile) {
            so.enableProfiling(prefix.toString());
        }
        try (OrtSession s = env.createSession(bytes, so)) {
            long[] tokens = new long[batch];
            float[] h = new float[layers * batch * hidden];
            float[] c = new float[layers * batch * hidden];
            long[] shape = {layers, batch, hidden};
            long total = 0;
            for (int i = 0; i < steps + 200; i++) {
                for (int b = 0; b < batch; b++) {
                    tokens[b] = (i * 7 + b * 13) % v;
                }
                long t0 = System.nanoTime();
                try (OnnxTensor t = OnnxTensor.createTensor(env, LongBuffer.wrap(tokens), new long[] {batch});
                        OnnxTensor th = OnnxTensor.createTensor(env, FloatBuffer.wrap(h), shape);
                        OnnxTensor tc = OnnxTensor.createTensor(env, FloatBuffer.wrap(c), shape);
                        OrtSession.Result r = s.run(Map.of("token", t, "h", th, "c", tc))) {
                    ((OnnxTensor) r.get("h_out").get()).getFloatBuffer().get(h);
                    ((OnnxTensor) r.get("c_out").get()).getFloatBuffer().get(c);
                }
                if (i >= 200) {
                    total += System.nanoTime() - t0;
                }
            }
            if (!profile) {
                System.out.printf("%s  batch %d: %.1f us/step (from Java, profiling off)%n", pkg, batch,
                        total / 1e3 / steps);
                return;
            }
            String file = s.endProfiling();
            JsonArray events = JsonParser.parseString(Files.readString(Path.of(file))).getAsJsonArray();
            Map<String, double[]> byOp = new TreeMap<>();
            Map<String, Integer> nodes = new TreeMap<>();
            double runs = 0;
            for (JsonElement e : events) {
                JsonObject o = e.getAsJsonObject();
                if (!o.has("cat")) {
                    continue;
                }
                if (o.get("cat").getAsString().equals("Session") && o.get("name").getAsString().equals("model_run")) {
                    runs++;
                }
                if (!o.get("cat").getAsString().equals("Node") || !o.get("name").getAsString().endsWith("_kernel_time")) {
                    continue;
                }
                String op = o.getAsJsonObject("args").get("op_name").getAsString();
                byOp.computeIfAbsent(op, k -> new double[1])[0] += o.get("dur").getAsDouble();
                nodes.merge(op + "#" + o.get("name").getAsString(), 1, Integer::sum);
            }
            System.out.printf("%s  batch %d  %d profiled runs%n", pkg, batch, (long) runs);
            double sum = 0;
            for (Map.Entry<String, double[]> e : byOp.entrySet()) {
                long count = nodes.keySet().stream().filter(k -> k.startsWith(e.getKey() + "#")).count();
                double perStep = e.getValue()[0] / runs;
                sum += perStep;
                System.out.printf("  %-28s %3d nodes %8.1f us/step%n", e.getKey(), count, perStep);
            }
            System.out.printf("  %-28s %3s       %8.1f us/step%n", "all nodes", "", sum);
            System.out.printf("  %-28s %3s       %8.1f us/step (from Java, profiling on)%n", "whole call", "",
                    total / 1e3 / steps);
        }
    }
}

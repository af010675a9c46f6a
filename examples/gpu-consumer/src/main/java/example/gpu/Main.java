package example.gpu;

import dev.charlstm.runtime.CharLstmModel;
import dev.charlstm.runtime.DeviceChoice;
import dev.charlstm.runtime.GenerationOptions;
import dev.charlstm.runtime.GpuUnavailableException;
import dev.charlstm.runtime.RuntimeOptions;
import java.nio.file.Path;

/**
 * Runs the model on CUDA when the machine has it: AUTO picks CUDA or falls back to the CPU; GPU insists, and says
 * what is missing when it cannot. Usage: {@code java ... example.gpu.Main [MODEL_FOLDER]}.
 */
public final class Main {

    public static void main(String[] args) {
        Path folder = Path.of(args.length > 0 ? args[0] : "../../models/moby-dick-int8");
        try (CharLstmModel model = CharLstmModel.load(folder,
                RuntimeOptions.builder().device(DeviceChoice.AUTO).build())) {
            String text = model.generate("Call me Ishmael. ", GenerationOptions.builder().maxCharacters(80).seed(1)
                    .build()).text();
            System.out.println("AUTO ran on " + model.provider() + ": " + text);
        }
        try (CharLstmModel model = CharLstmModel.load(folder,
                RuntimeOptions.builder().device(DeviceChoice.GPU).build())) {
            System.out.println("GPU: running on " + model.provider());
        } catch (GpuUnavailableException e) {
            System.out.println("GPU unavailable, as expected without CUDA: " + e.getMessage());
        }
    }
}

package dev.caravan.serving.testutil;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TUint8;

class TestModelsTest {

    @Test
    void exportedLinearModelReadsTestDigits(@TempDir Path dir) {
        long t0 = System.nanoTime();
        TestModels.exportMnist(dir.resolve("1"));
        long t1 = System.nanoTime();
        MnistData.Digits digits = MnistData.test(1000);
        int correct = 0;
        try (SavedModelBundle bundle = SavedModelBundle.load(dir.resolve("1").toString(), "serve")) {
            System.out.println(bundle.metaGraphDef().getSignatureDefMap());
            for (int i = 0; i < digits.size(); i++) {
                float[] image = digits.images()[i];
                try (TFloat32 x = TFloat32.tensorOf(Shape.of(1, 28, 28), t -> t.asRawTensor().data().asFloats().write(image));
                     Result result = bundle.session().runner().feed("x:0", x).fetch("classes:0").fetch("predictions:0").run()) {
                    TUint8 classes = (TUint8) result.get(0);
                    if (classes.getByte(0) == digits.labels()[i]) {
                        correct++;
                    }
                }
            }
        }
        long t2 = System.nanoTime();
        System.out.printf("export %d ms, 1000 predictions %d ms, correct %d%n", (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000, correct);
        assertThat(correct).isGreaterThan(850);
    }

    @Test
    void exportsCnn(@TempDir Path dir) {
        long t0 = System.nanoTime();
        TestModels.exportCnn(dir.resolve("1"));
        System.out.printf("cnn export %d ms%n", (System.nanoTime() - t0) / 1_000_000);
    }
}

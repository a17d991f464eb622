package dev.caravan.serving.testutil;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TUint8;

/** The fixtures have the trainer's signature, and the linear one really reads digits. */
class TestModelsTest {

    @Test
    void theLinearModelReadsMostTestDigits(@TempDir Path dir) {
        MnistData.Digits digits = MnistData.test(500);
        int correct = 0;
        try (SavedModelBundle bundle = SavedModelBundle.load(TestModels.exportMnist(dir).toString(), "serve")) {
            for (int i = 0; i < digits.size(); i++) {
                correct += predict(bundle, digits.images()[i]) == digits.labels()[i] ? 1 : 0;
            }
        }
        assertThat(correct).isGreaterThan(425);
    }

    @Test
    void theCnnHasTheTrainersSignature(@TempDir Path dir) {
        try (SavedModelBundle bundle = SavedModelBundle.load(TestModels.exportCnn(dir).toString(), "serve")) {
            SignatureDef signature = bundle.metaGraphDef().getSignatureDefOrThrow("serving_default");

            assertThat(signature.getMethodName()).isEqualTo("tensorflow/serving/predict");
            assertThat(signature.getInputsMap()).containsOnlyKeys("x");
            assertThat(signature.getOutputsMap()).containsOnlyKeys("classes", "predictions");
            assertThat(predict(bundle, new float[784])).isBetween(0, 9);
        }
    }

    @Test
    void theCnnTakesItsKernelSize(@TempDir Path dir) {
        try (SavedModelBundle three = SavedModelBundle.load(TestModels.exportCnn(dir.resolve("3")).toString(), "serve");
             SavedModelBundle five = SavedModelBundle.load(TestModels.exportCnn(dir.resolve("5"), 5).toString(), "serve")) {
            assertThat(kernelShape(three, "conv2_kernel")).isEqualTo(Shape.of(3, 3, 16, 32));
            assertThat(kernelShape(five, "conv1_kernel")).isEqualTo(Shape.of(5, 5, 1, 16));
            assertThat(kernelShape(five, "conv2_kernel")).isEqualTo(Shape.of(5, 5, 16, 32));
            assertThat(predict(five, new float[784])).isBetween(0, 9);
        }
    }

    private static Shape kernelShape(SavedModelBundle bundle, String variable) {
        return bundle.graph().operation(variable).output(0).shape();
    }

    private static int predict(SavedModelBundle bundle, float[] image) {
        try (TFloat32 x = TFloat32.tensorOf(Shape.of(1, 28, 28), t -> t.asRawTensor().data().asFloats().write(image));
             Result result = bundle.session().runner().feed("x:0", x).fetch("classes:0").run()) {
            return ((TUint8) result.get(0)).getByte(0) & 0xff;
        }
    }
}

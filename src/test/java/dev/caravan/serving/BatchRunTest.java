package dev.caravan.serving;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.caravan.serving.api.ModelSpec;
import dev.caravan.serving.api.TensorProto;
import dev.caravan.serving.testutil.MnistData;
import dev.caravan.serving.testutil.TestModels;
import dev.caravan.serving.testutil.Tensors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Requests stacked into one run each get their own rows back. */
class BatchRunTest {

    @TempDir
    static Path work;
    static ServedModels models = new ServedModels();
    static MnistData.Digits digits = MnistData.test(4);

    @BeforeAll
    static void load() {
        Path dir = TestModels.exportMnist(work.resolve("export"));
        models.promote("mnist", 1, () -> LoadedModel.load("mnist", 1, dir));
    }

    @AfterAll
    static void unload() {
        models.close();
    }

    @Test
    void stackedRequestsGetTheirOwnRows() {
        // given three requests of 1, 2 and 1 images, sent as tensor_content, float_val and tensor_content
        Answer first = new Answer();
        Answer second = new Answer();
        Answer third = new Answer();
        List<PredictionTask> tasks = List.of(task(first, List.of(), false, 0), task(second, List.of(), true, 1, 2),
                task(third, List.of(), false, 3));
        assertThat(tasks.get(0).canShareRunWith(tasks.get(1))).isTrue();
        assertThat(tasks.get(0).canShareRunWith(tasks.get(2))).isTrue();

        // when they run as one call
        BatchRun.run(tasks);

        // then each sees only its digits, in its order
        assertThat(first.classes()).containsExactly(digits.labels()[0]);
        assertThat(second.classes()).containsExactly(digits.labels()[1], digits.labels()[2]);
        assertThat(third.classes()).containsExactly(digits.labels()[3]);
        assertThat(second.outputs.get("predictions").getTensorShape()).isEqualTo(Tensors.shape(2, 10));
        assertThat(first.outputs.get("predictions").getTensorShape()).isEqualTo(Tensors.shape(1, 10));
    }

    @Test
    void requestsForOtherOutputsDoNotShareARun() {
        PredictionTask all = task(new Answer(), List.of(), false, 0);
        PredictionTask classesOnly = task(new Answer(), List.of("classes"), false, 1);

        assertThat(all.canShareRunWith(classesOnly)).isFalse();
        all.fail(ServingError.invalidArgument("not run"));
        classesOnly.fail(ServingError.invalidArgument("not run"));
    }

    private static PredictionTask task(Answer answer, List<String> outputFilter, boolean typedValues, int... images) {
        ServedModels.Lease lease = models.acquire(ModelSpec.newBuilder().setName("mnist").build());
        ModelSignature signature = lease.model().signature("");
        float[] pixels = new float[images.length * 784];
        for (int i = 0; i < images.length; i++) {
            System.arraycopy(digits.images()[images[i]], 0, pixels, i * 784, 784);
        }
        TensorProto tensor = typedValues ? Tensors.floatVal(pixels, images.length, 28, 28)
                : Tensors.tensorContent(pixels, images.length, 28, 28);
        InputSource input = TensorProtoCodec.input(signature.input("x"), tensor, signature);
        return PredictionTask.of(lease, signature, signature.outputs(outputFilter), Map.of("x", input), answer);
    }

    /** Keeps what a request was answered, encoded while the outputs are valid. */
    private static final class Answer implements PredictionTask.Responder {

        final Map<String, TensorProto> outputs = new LinkedHashMap<>();
        final List<ServingError> failures = new ArrayList<>();

        @Override
        public void respond(LoadedModel model, ModelSignature signature, List<TensorSpec> fetches,
                            List<OutputSlice> slices) {
            for (int i = 0; i < fetches.size(); i++) {
                outputs.put(fetches.get(i).alias(), TensorProtoCodec.toProto(slices.get(i)));
            }
        }

        @Override
        public void fail(ServingError error) {
            failures.add(error);
        }

        int[] classes() {
            assertThat(failures).isEmpty();
            return Arrays.stream(Tensors.uint8s(outputs.get("classes"))).toArray();
        }
    }
}

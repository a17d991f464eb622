package dev.caravan.definition;

import java.util.List;

import dev.caravan.definition.PipelineDefinition.Evaluation;
import dev.caravan.definition.PipelineDefinition.Source;
import dev.caravan.definition.PipelineDefinition.Trainer;
import dev.caravan.definition.PipelineDefinition.Validation;

/** A pipeline file as written, before defaults and checks: every key may be missing. */
record PipelineFile(String model, Source source, Trainer trainer, Validation validation, Evaluation evaluation,
                    GateFile gate, SmokeTestFile smokeTest) {

    /** The keys a file may hold, for the message about one it may not. */
    static final List<String> KEYS = List.of("model", "source.bucket", "source.prefix", "source.marker",
            "source.quietPeriod", "trainer.builtin", "trainer.command", "trainer.image", "trainer.parameters",
            "trainer.timeout", "validation.builtin", "validation.command", "evaluation.builtin", "gate.metric",
            "gate.min", "gate.tolerance", "smokeTest.samples", "smokeTest.minCorrect");

    record GateFile(String metric, Double min, Double tolerance) {
    }

    record SmokeTestFile(String samples, Double minCorrect) {
    }
}

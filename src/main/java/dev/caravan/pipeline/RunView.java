package dev.caravan.pipeline;

import java.util.List;
import java.util.Map;

/** A run with its steps, parameters and, once it ran, the smoke test's report. */
public record RunView(Run run, List<StepView> steps, Map<String, String> parameters, String smokeReport) {
}

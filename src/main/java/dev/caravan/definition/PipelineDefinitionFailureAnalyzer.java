package dev.caravan.definition;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Start-up stopped by a pipeline file: the problems and what to do, instead of a stack trace. */
class PipelineDefinitionFailureAnalyzer extends AbstractFailureAnalyzer<PipelineDefinitionException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, PipelineDefinitionException cause) {
        return new FailureAnalysis(cause.getMessage(), "Fix the pipeline file named above (see config/pipelines/mnist.yaml"
                + " for a complete example), then start Caravan again.", cause);
    }
}

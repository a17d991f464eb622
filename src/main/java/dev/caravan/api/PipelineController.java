package dev.caravan.api;

import java.util.List;
import java.util.Map;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.caravan.definition.PipelineCatalog;
import dev.caravan.definition.PipelineDefinition;
import dev.caravan.registry.ModelRegistry;
import dev.caravan.registry.ModelVersion;

/** The pipelines Caravan runs, as read from {@code config/pipelines/}, each with its model's serving version. */
@RestController
@RequestMapping("/api/pipelines")
class PipelineController {

    /** One pipeline as a client sees it. */
    record PipelineView(String name, String model, String source, String marker, String quietPeriod, String trainer,
                        Map<String, String> parameters, String validation, String evaluation,
                        PipelineDefinition.Gate gate, String smokeTestSamples, Long servingVersion) {
    }

    private final PipelineCatalog pipelines;
    private final ModelRegistry registry;

    PipelineController(PipelineCatalog pipelines, ModelRegistry registry) {
        this.pipelines = pipelines;
        this.registry = registry;
    }

    @GetMapping
    List<PipelineView> list() {
        return pipelines.all().stream().map(this::view).toList();
    }

    @GetMapping("/{name}")
    PipelineView get(@PathVariable String name) {
        return view(pipelines.resolve(name));
    }

    private PipelineView view(PipelineDefinition p) {
        PipelineDefinition.Trainer trainer = p.trainer();
        String how = trainer.isBuiltin() ? "builtin " + trainer.builtin()
                : trainer.imageName().map(i -> "image " + i + ", ").orElse("") + "command " + String.join(" ", trainer.command());
        PipelineDefinition.Validation validation = p.validation();
        return new PipelineView(p.name(), p.model(), p.dataLocation().uri(), p.source().marker(),
                p.source().quietPeriod().toString(), how, trainer.parameters(),
                validation.builtin() != null ? validation.builtin() : "command " + String.join(" ", validation.command()),
                p.evaluation().builtin(), p.gate(), p.smokeTest().samples().map(Object::toString).orElse(null),
                registry.serving(p.model()).map(ModelVersion::version).orElse(null));
    }
}

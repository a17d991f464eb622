package dev.caravan.pipeline;

import java.util.Map;
import java.util.TreeMap;

import org.springframework.batch.core.JobExecution;
import org.springframework.batch.core.StepExecution;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.item.ExecutionContext;

import dev.caravan.definition.PipelineCatalog;
import dev.caravan.definition.PipelineDefinition;
import dev.caravan.storage.S3Location;
import dev.caravan.tensorboard.TensorBoardInfo;

/**
 * What the steps of one run share, kept in the job's execution context so that a restarted run has it: the run's
 * name, its model version and where its data (the snapshot's frozen copy), training files and export are.
 */
final class RunContext {

    private static final String VERSION = "modelVersion";
    private static final String DATA_DIR = "dataDir";
    private static final String MODEL_DIR = "modelDir";
    private static final String EXPORT_DIR = "exportDir";
    private static final String PREVIOUS_VERSION = "previousVersion";
    private static final String SMOKE_REPORT = "smokeReport";
    private static final String TENSORBOARD_LOG_DIR = "tensorBoardLogDir";
    private static final String TENSORBOARD_OPEN = "tensorBoardOpen";

    private final JobExecution job;

    private RunContext(JobExecution job) {
        this.job = job;
    }

    static RunContext of(ChunkContext chunk) {
        return of(chunk.getStepContext().getStepExecution());
    }

    static RunContext of(StepExecution step) {
        return new RunContext(step.getJobExecution());
    }

    static RunContext of(JobExecution job) {
        return new RunContext(job);
    }

    String runName() {
        return RunNames.of(job.getJobParameters());
    }

    String model() {
        return job.getJobParameters().getString(RunNames.MODEL);
    }

    /** The run's pipeline, found by its model. */
    PipelineDefinition pipeline(PipelineCatalog pipelines) {
        return pipelines.forModel(model()).orElseThrow(() -> new IllegalStateException("model " + model() + " of run "
                + runName() + " has no pipeline in config/pipelines any more; restore its file to go on"));
    }

    /** The run's own parameter values, by name: those that differ from its pipeline's. */
    Map<String, String> settings() {
        Map<String, String> settings = new TreeMap<>();
        job.getJobParameters().getIdentifyingParameters().forEach((name, value) -> {
            if (!name.equals(RunNames.MODEL) && !name.equals(RunNames.SNAPSHOT)) {
                settings.put(name, String.valueOf(value.getValue()));
            }
        });
        return settings;
    }

    String snapshot() {
        return job.getJobParameters().getString(RunNames.SNAPSHOT);
    }

    void prepared(long version, S3Location dataDir, S3Location modelDir, S3Location exportDir) {
        ExecutionContext context = context();
        context.putLong(VERSION, version);
        context.putString(DATA_DIR, dataDir.uri());
        context.putString(MODEL_DIR, modelDir.uri());
        context.putString(EXPORT_DIR, exportDir.uri());
    }

    /** Where the run reads its data from now on. */
    void dataIn(S3Location dataDir) {
        context().putString(DATA_DIR, dataDir.uri());
    }

    long version() {
        return context().getLong(VERSION);
    }

    S3Location dataDir() {
        return S3Location.parse(context().getString(DATA_DIR));
    }

    S3Location modelDir() {
        return S3Location.parse(context().getString(MODEL_DIR));
    }

    S3Location exportDir() {
        return S3Location.parse(context().getString(EXPORT_DIR));
    }

    /** The version that served before this run promoted its own, or null when there was none. */
    Long previousVersion() {
        return context().containsKey(PREVIOUS_VERSION) ? context().getLong(PREVIOUS_VERSION) : null;
    }

    void previousVersion(long version) {
        context().putLong(PREVIOUS_VERSION, version);
    }

    /** The run's TensorBoard, once its step started one. */
    TensorBoardInfo tensorBoard() {
        String logDir = context().getString(TENSORBOARD_LOG_DIR, null);
        return logDir == null ? null : new TensorBoardInfo(logDir, context().getString(TENSORBOARD_OPEN));
    }

    void tensorBoard(TensorBoardInfo info) {
        context().putString(TENSORBOARD_LOG_DIR, info.logDir());
        context().putString(TENSORBOARD_OPEN, info.howToOpen());
    }

    String smokeReport() {
        return context().getString(SMOKE_REPORT, null);
    }

    void smokeReport(String report) {
        context().putString(SMOKE_REPORT, report);
    }

    private ExecutionContext context() {
        return job.getExecutionContext();
    }
}

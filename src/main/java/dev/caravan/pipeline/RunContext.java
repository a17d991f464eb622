package dev.caravan.pipeline;

import org.springframework.batch.core.JobExecution;
import org.springframework.batch.core.StepExecution;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.item.ExecutionContext;

import dev.caravan.storage.S3Location;

/**
 * What the steps of one run share, kept in the job's execution context so that a restarted run has it: the run's
 * name, its model version and where its data, training files and export are.
 */
final class RunContext {

    private static final String VERSION = "modelVersion";
    private static final String DATA_DIR = "dataDir";
    private static final String MODEL_DIR = "modelDir";
    private static final String EXPORT_DIR = "exportDir";
    private static final String PREVIOUS_VERSION = "previousVersion";
    private static final String SMOKE_REPORT = "smokeReport";

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

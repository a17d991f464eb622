package dev.caravan.pipeline;

import org.springframework.batch.core.StepContribution;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.repeat.RepeatStatus;

import dev.caravan.tensorboard.TensorBoardBackend;
import dev.caravan.tensorboard.TensorBoardInfo;

/** Gives the run a TensorBoard over the event files its trainer writes. */
class TensorBoardTasklet implements Tasklet {

    private final TensorBoardBackend tensorBoard;

    TensorBoardTasklet(TensorBoardBackend tensorBoard) {
        this.tensorBoard = tensorBoard;
    }

    @Override
    public RepeatStatus execute(StepContribution contribution, ChunkContext chunk) {
        RunContext run = RunContext.of(chunk);
        TensorBoardInfo info = tensorBoard.start(run.runName(), run.modelDir());
        run.tensorBoard(info);
        StepMessages.say(chunk, "event files in " + info.logDir() + "; open with: " + info.howToOpen());
        return RepeatStatus.FINISHED;
    }
}

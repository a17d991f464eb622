package dev.caravan.definition;

/**
 * A pipeline file Caravan cannot use; the message names the file, the key and what to write instead. It carries no
 * cause: the message says all, and start-up reports the deepest cause's message.
 */
public class PipelineDefinitionException extends RuntimeException {

    PipelineDefinitionException(String message) {
        super(message);
    }
}

package dev.charlstm.runtime;

/**
 * Receives generated characters as soon as they are sampled. Called on the generating thread. An exception it
 * throws ends the generation and reaches the caller of {@code generate} unchanged; the stream stays usable.
 */
@FunctionalInterface
public interface CharacterCallback {

    /**
     * @param character one generated character: a String holding exactly one code point (an emoji is one call)
     * @return true to go on, false to stop (the result then says {@link FinishReason#CANCELLED})
     */
    boolean onCharacter(String character);
}

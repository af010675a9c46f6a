package dev.charlstm.runtime;

/** Receives the characters of a batched generation, tagged with their stream's index. Called on the generating thread. */
@FunctionalInterface
public interface BatchCharacterCallback {

    /**
     * @param stream the index of the prompt the character continues
     * @param character one generated character (one code point)
     * @return true to go on, false to stop this stream (its result says {@link FinishReason#CANCELLED})
     */
    boolean onCharacter(int stream, String character);
}

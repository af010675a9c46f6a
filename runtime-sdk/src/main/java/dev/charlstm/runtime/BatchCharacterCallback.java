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

    /**
     * The form called when a request's options ask for {@link GenerationOptions#logprobs() logprobs}; by default it
     * calls {@link #onCharacter(int, String)}.
     *
     * @param stream the index of the request
     * @param character one generated character
     * @param logprob its log-probability; null when that request's logprobs are off
     * @return true to go on, false to stop this stream
     */
    default boolean onCharacter(int stream, String character, CharacterLogprob logprob) {
        return onCharacter(stream, character);
    }
}

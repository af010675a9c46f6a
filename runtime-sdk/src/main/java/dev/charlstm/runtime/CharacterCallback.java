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

    /**
     * The form called when the options ask for {@link GenerationOptions#logprobs() logprobs}; by default it calls
     * {@link #onCharacter(String)}. Override it to receive them as the characters come.
     *
     * @param character one generated character
     * @param logprob its log-probability (and the top alternatives asked for); null when logprobs are off
     * @return true to go on, false to stop
     */
    default boolean onCharacter(String character, CharacterLogprob logprob) {
        return onCharacter(character);
    }
}

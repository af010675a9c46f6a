package dev.charlstm.runtime;

/**
 * The packages under src/test/resources/fixtures, written by the trainer's RuntimeFixtures: {@code tiny} (format
 * 1), {@code tiny-v2} (the same weights, format 2 with a sequence graph), {@code tiny-int8} (its int8 export),
 * {@code controlled}.
 */
final class Fixtures {
    private Fixtures() {}

    /** A small trained model (E16 H32 L2, V=16) on a repetitive lowercase English corpus. */
    static CharLstmModel tiny() {
        return CharLstmModel.loadResource("fixtures/tiny", RuntimeOptions.DEFAULT);
    }

    /** Vocabulary "abcdef"; every step's distribution is p = 0.4, 0.3, 0.15, 0.1, 0.04, 0.01 whatever the input. */
    static CharLstmModel controlled() {
        return CharLstmModel.loadResource("fixtures/controlled", RuntimeOptions.DEFAULT);
    }
}

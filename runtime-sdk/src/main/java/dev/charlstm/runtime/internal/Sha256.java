package dev.charlstm.runtime.internal;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 as lowercase hex: how packages, checkpoints and corpora are identified. Stateless and thread-safe. */
public final class Sha256 {

    private Sha256() {}

    /**
     * @param bytes data
     * @return its SHA-256, lowercase hex
     */
    public static String hex(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java platform", e);
        }
    }
}

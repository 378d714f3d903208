package org.idcguard.agent.manager;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The clusters' passwords as the metadata keeps them: AES-256-GCM, so a copy of the H2 file, a backup of it or the
 * managers' log read by someone who should not holds no password in clear. The key is derived from the CA's private
 * key ({@code tls/ca.p12}, 0600), which every manager of a quorum holds already (they share the CA): no further file
 * to copy between them, and the metadata without the home's CA reveals nothing. A value written before this existed
 * (no {@code enc:v1:} prefix) reads as it is, and is encrypted the next time it is written.
 */
public final class SecretColumns {
    private static final String PREFIX = "enc:v1:";
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Set once by the manager from its CA; a process without one (a unit test) gets a key of its own. */
    private static volatile SecretKeySpec key = randomKey();

    private SecretColumns() {
    }

    /** Uses this key from now on (32 bytes the CA derived: {@code CertificateAuthority#derivedKey}). */
    public static void useKey(byte[] derived) {
        key = new SecretKeySpec(derived, "AES");
    }

    public static String seal(String clear) {
        if (clear == null) {
            return null;
        }
        try {
            byte[] iv = new byte[12];
            RANDOM.nextBytes(iv);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, iv));
            byte[] sealed = cipher.doFinal(clear.getBytes(StandardCharsets.UTF_8));
            byte[] out = new byte[iv.length + sealed.length];
            System.arraycopy(iv, 0, out, 0, iv.length);
            System.arraycopy(sealed, 0, out, iv.length, sealed.length);
            return PREFIX + Base64.getEncoder().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Cannot encrypt a secret of the metadata: " + e.getMessage(), e);
        }
    }

    public static String open(String stored) {
        if (stored == null || !stored.startsWith(PREFIX)) {
            return stored;
        }
        try {
            byte[] in = Base64.getDecoder().decode(stored.substring(PREFIX.length()));
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, in, 0, 12));
            return new String(cipher.doFinal(in, 12, in.length - 12), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalStateException("A secret of the metadata cannot be decrypted: this manager's CA is not the one "
                    + "that wrote it (every manager of a quorum must hold the same tls/ca.p12).", e);
        }
    }

    /** Whether a stored value is encrypted. */
    public static boolean sealed(String stored) {
        return stored != null && stored.startsWith(PREFIX);
    }

    private static SecretKeySpec randomKey() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return new SecretKeySpec(bytes, "AES");
    }
}

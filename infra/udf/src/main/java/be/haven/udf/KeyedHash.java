package be.haven.udf;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermission;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.spark.sql.api.java.UDF1;

/**
 * Keyed pseudonym: one instance per key, {@code new KeyedHash(keyFolder, scope, keyId)}, called on
 * the UTF-8 bytes of a value, returns the lower-case hex HMAC-SHA-256 of those bytes under the key
 * stored in {@code <keyFolder>/<scope>/<keyId>.key} (the format of pseudonymisation/keys.py: 32
 * bytes as hex text, an owner-only file), as 64 ASCII bytes. Null stays null.
 * pseudonymisation/keyed_hash.py registers one instance per key under its own function name and
 * calls it as {@code CAST(fn(CAST(value AS BINARY)) AS STRING)}.
 *
 * <p>The instance holds only the folder, the scope and the key id (the plan shows only the
 * function's name); the key bytes are read here, on whichever JVM evaluates the row, and live only
 * in the hashing state derived from them, cached per JVM and key. Key files are write-once (the
 * store never rewrites a key id), which makes that cache safe. Error messages name the scope and
 * key id, never a value or key bytes.
 *
 * <p>Speed: HMAC-SHA-256 of a short value is four SHA-256 compressions, two of which (the key's
 * inner and outer pad blocks) are the same for every row. The state after those two blocks is
 * computed once per key and copied ({@link MessageDigest#clone}) for each row, so a row costs two
 * compressions, as RFC 2104 section 4 suggests; a micro-benchmark put the copy at 150 ns a row
 * against 210 ns for resetting a digest and hashing the pads again, and 205 ns for
 * {@link Mac#doFinal}. Where the digest cannot be cloned (some providers), a {@link Mac} per
 * thread does the four. Taking and returning bytes is the larger gain: a {@code String} argument
 * costs Spark a UTF-8 decode per row and each argument (the former function took the folder,
 * scope and key id as three more string columns) another, and a {@code String} result an encode;
 * {@code byte[]} is Spark's own representation of binary, and the casts around the call copy or
 * wrap bytes without decoding them (pseudonymisation/README.md has the figures).
 */
public final class KeyedHash implements UDF1<byte[], byte[]> {
  private static final long serialVersionUID = 2L;
  private static final int KEY_BYTES = 32;
  private static final int BLOCK = 64;
  private static final String ALGORITHM = "HmacSHA256";
  // Same rule as common.layout.check_name: a safe path component, no traversal.
  private static final Pattern NAME = Pattern.compile("^[a-z0-9][a-z0-9_-]{0,63}$");
  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
  private static final Set<PosixFilePermission> OPEN =
      EnumSet.of(
          PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
          PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ,
          PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);
  // Per JVM: folder, scope and key id joined by NUL -> the hashing state of that key.
  private static final Map<String, Hmac> LOADED = new ConcurrentHashMap<>();

  private final String folder;
  private final String scope;
  private final String keyId;
  private transient Hmac hmac;

  /** HMAC-SHA-256 under one key; safe to call from several threads. */
  private interface Hmac {
    byte[] digest(byte[] message);
  }

  /**
   * The digest states after the key's inner and outer pad blocks. They are only ever copied,
   * never updated, so threads can share them.
   */
  private static final class Midstates implements Hmac {
    private final MessageDigest inner;
    private final MessageDigest outer;

    Midstates(MessageDigest inner, MessageDigest outer) {
      this.inner = inner;
      this.outer = outer;
    }

    @Override
    public byte[] digest(byte[] message) {
      try {
        MessageDigest in = (MessageDigest) inner.clone();
        in.update(message);
        MessageDigest out = (MessageDigest) outer.clone();
        out.update(in.digest());
        return out.digest();
      } catch (CloneNotSupportedException e) {
        throw new IllegalStateException("haven_hmac: SHA-256 state cannot be copied", e);
      }
    }
  }

  /** Only where the provider cannot copy a SHA-256 state: a {@link Mac} per thread. */
  private static final class PerThreadMac implements Hmac {
    private final ThreadLocal<Mac> macs;

    PerThreadMac(byte[] secret) throws GeneralSecurityException {
      SecretKeySpec spec = new SecretKeySpec(secret, ALGORITHM);
      Mac.getInstance(ALGORITHM).init(spec);  // fails here, not per row, where it cannot work
      this.macs = ThreadLocal.withInitial(() -> {
        try {
          Mac mac = Mac.getInstance(ALGORITHM);
          mac.init(spec);
          return mac;
        } catch (GeneralSecurityException e) {
          throw new IllegalStateException("haven_hmac: HMAC-SHA-256 unavailable", e);
        }
      });
    }

    @Override
    public byte[] digest(byte[] message) {
      return macs.get().doFinal(message);
    }
  }

  /** The function for one key; the key file is read when the first row needs it. */
  public KeyedHash(String folder, String scope, String keyId) {
    if (folder == null || scope == null || keyId == null) {
      throw new IllegalArgumentException("haven_hmac: key folder, scope and key id are required");
    }
    if (!NAME.matcher(scope).matches() || !NAME.matcher(keyId).matches()) {
      throw new IllegalArgumentException("haven_hmac: invalid scope or key id");
    }
    this.folder = folder;
    this.scope = scope;
    this.keyId = keyId;
  }

  @Override
  public byte[] call(byte[] value) {
    if (value == null) {
      return null;
    }
    Hmac h = hmac;
    if (h == null) {
      h = LOADED.computeIfAbsent(folder + '\0' + scope + '\0' + keyId,
          id -> load(folder, scope, keyId));
      hmac = h;
    }
    byte[] digest = h.digest(value);
    byte[] out = new byte[digest.length * 2];
    for (int i = 0; i < digest.length; i++) {
      out[2 * i] = HEX[(digest[i] >> 4) & 0x0f];
      out[2 * i + 1] = HEX[digest[i] & 0x0f];
    }
    return out;
  }

  private static Hmac load(String folder, String scope, String keyId) {
    String which = "key " + keyId + " of scope " + scope;
    Path path = Paths.get(folder, scope, keyId + ".key");
    byte[] secret = null;
    try {
      Set<PosixFilePermission> perms = Files.getPosixFilePermissions(path);
      perms.retainAll(OPEN);
      if (!perms.isEmpty()) {
        throw new IllegalStateException(
            "haven_hmac: " + which + " is readable by others; chmod 600");
      }
      secret = decodeHex(new String(Files.readAllBytes(path), StandardCharsets.US_ASCII).trim());
      if (secret == null || secret.length != KEY_BYTES) {
        throw new IllegalStateException("haven_hmac: " + which + " is corrupt");
      }
      return prepare(secret);
    } catch (IOException e) {
      // The exception's own message is dropped on purpose: only the key's name is reported.
      throw new IllegalStateException(
          "haven_hmac: " + which + " is missing or unreadable on this executor", null);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("haven_hmac: HMAC-SHA-256 unavailable", e);
    } finally {
      if (secret != null) {
        Arrays.fill(secret, (byte) 0);
      }
    }
  }

  private static Hmac prepare(byte[] secret) throws GeneralSecurityException {
    byte[] innerPad = new byte[BLOCK];
    byte[] outerPad = new byte[BLOCK];
    for (int i = 0; i < BLOCK; i++) {
      byte k = i < secret.length ? secret[i] : 0;
      innerPad[i] = (byte) (k ^ 0x36);
      outerPad[i] = (byte) (k ^ 0x5c);
    }
    try {
      MessageDigest inner = MessageDigest.getInstance("SHA-256");
      inner.update(innerPad);
      MessageDigest outer = MessageDigest.getInstance("SHA-256");
      outer.update(outerPad);
      inner.clone();  // fails here, not per row, where the provider cannot copy a state
      return new Midstates(inner, outer);
    } catch (CloneNotSupportedException e) {
      return new PerThreadMac(secret);
    } finally {
      Arrays.fill(innerPad, (byte) 0);
      Arrays.fill(outerPad, (byte) 0);
    }
  }

  private static byte[] decodeHex(String text) {
    if (text.length() % 2 != 0) {
      return null;
    }
    byte[] out = new byte[text.length() / 2];
    for (int i = 0; i < out.length; i++) {
      int hi = Character.digit(text.charAt(2 * i), 16);
      int lo = Character.digit(text.charAt(2 * i + 1), 16);
      if (hi < 0 || lo < 0) {
        return null;
      }
      out[i] = (byte) ((hi << 4) | lo);
    }
    return out;
  }
}

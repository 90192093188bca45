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
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.spark.sql.api.java.UDF4;

/**
 * Keyed pseudonym: {@code haven_hmac(key_folder, scope, key_id, value)} is the lower-case hex
 * HMAC-SHA-256 of the UTF-8 bytes of {@code value} under the key stored in
 * {@code <key_folder>/<scope>/<key_id>.key} (the format of pseudonymisation/keys.py: 32 bytes as
 * hex text, an owner-only file). Null stays null.
 *
 * <p>The query plan holds only the folder, the scope and the key id; the key bytes are read here,
 * on whichever JVM evaluates the row, and live only in the hashing state derived from them. Each
 * task thread keeps that state per key, so a key file is read once per thread and key. Key files
 * are write-once (the store never rewrites a key id), which makes that cache safe. Error messages
 * name the scope and key id, never a value or key bytes.
 *
 * <p>Speed: HMAC-SHA-256 of a short value is four SHA-256 compressions, two of which (the key's
 * inner and outer pad blocks) are the same for every row. The state after those two blocks is
 * computed once per key and copied ({@link MessageDigest#clone}) for each row, so a row costs two
 * compressions, as RFC 2104 section 4 suggests. Where the digest cannot be cloned (some
 * providers), a {@link Mac} does the four.
 */
public final class KeyedHash implements UDF4<String, String, String, String, String> {
  private static final long serialVersionUID = 1L;
  private static final int KEY_BYTES = 32;
  private static final int BLOCK = 64;
  private static final String ALGORITHM = "HmacSHA256";
  // Same rule as common.layout.check_name: a safe path component, no traversal.
  private static final Pattern NAME = Pattern.compile("^[a-z0-9][a-z0-9_-]{0,63}$");
  private static final char[] HEX = "0123456789abcdef".toCharArray();
  private static final Set<PosixFilePermission> OPEN =
      EnumSet.of(
          PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
          PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ,
          PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

  /** HMAC-SHA-256 under one key, for one thread. */
  private interface Hmac {
    byte[] digest(byte[] message);
  }

  /** The digest states after the key's inner and outer pad blocks, copied for each message. */
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

  /** Per thread: the hash last used (the common case, one key per column) and all others. */
  private static final class Cache {
    String folder;
    String scope;
    String keyId;
    Hmac last;
    final Map<String, Hmac> byKey = new HashMap<>();
  }

  private static final ThreadLocal<Cache> CACHE = ThreadLocal.withInitial(Cache::new);

  @Override
  public String call(String folder, String scope, String keyId, String value) {
    if (value == null) {
      return null;
    }
    byte[] digest = hmac(folder, scope, keyId).digest(value.getBytes(StandardCharsets.UTF_8));
    char[] out = new char[digest.length * 2];
    for (int i = 0; i < digest.length; i++) {
      out[2 * i] = HEX[(digest[i] >> 4) & 0x0f];
      out[2 * i + 1] = HEX[digest[i] & 0x0f];
    }
    return new String(out);
  }

  private static Hmac hmac(String folder, String scope, String keyId) {
    if (folder == null || scope == null || keyId == null) {
      throw new IllegalArgumentException("haven_hmac: key folder, scope and key id are required");
    }
    Cache cache = CACHE.get();
    if (cache.last != null && keyId.equals(cache.keyId) && scope.equals(cache.scope)
        && folder.equals(cache.folder)) {
      return cache.last;
    }
    String id = folder + '\0' + scope + '\0' + keyId;
    Hmac found = cache.byKey.get(id);
    if (found == null) {
      found = load(folder, scope, keyId);
      cache.byKey.put(id, found);
    }
    cache.folder = folder;
    cache.scope = scope;
    cache.keyId = keyId;
    cache.last = found;
    return found;
  }

  private static Hmac load(String folder, String scope, String keyId) {
    if (!NAME.matcher(scope).matches() || !NAME.matcher(keyId).matches()) {
      throw new IllegalArgumentException("haven_hmac: invalid scope or key id");
    }
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
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(new SecretKeySpec(secret, ALGORITHM));
      return mac::doFinal;
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

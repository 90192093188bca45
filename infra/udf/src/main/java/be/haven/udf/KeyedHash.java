package be.haven.udf;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermission;
import java.security.GeneralSecurityException;
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
 * on whichever JVM evaluates the row, and live only inside an initialised {@link Mac}. Each task
 * thread keeps one Mac per key (a Mac is not thread-safe), so a key file is read once per thread
 * and key. Key files are write-once (the store never rewrites a key id), which makes that cache
 * safe. Error messages name the scope and key id, never a value or key bytes.
 */
public final class KeyedHash implements UDF4<String, String, String, String, String> {
  private static final long serialVersionUID = 1L;
  private static final int KEY_BYTES = 32;
  private static final String ALGORITHM = "HmacSHA256";
  // Same rule as common.layout.check_name: a safe path component, no traversal.
  private static final Pattern NAME = Pattern.compile("^[a-z0-9][a-z0-9_-]{0,63}$");
  private static final char[] HEX = "0123456789abcdef".toCharArray();
  private static final Set<PosixFilePermission> OPEN =
      EnumSet.of(
          PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
          PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ,
          PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

  /** Per thread: the Mac last used (the common case, one key per column) and all others. */
  private static final class Cache {
    String folder;
    String scope;
    String keyId;
    Mac last;
    final Map<String, Mac> byKey = new HashMap<>();
  }

  private static final ThreadLocal<Cache> CACHE = ThreadLocal.withInitial(Cache::new);

  @Override
  public String call(String folder, String scope, String keyId, String value) {
    if (value == null) {
      return null;
    }
    byte[] digest = mac(folder, scope, keyId).doFinal(value.getBytes(StandardCharsets.UTF_8));
    char[] out = new char[digest.length * 2];
    for (int i = 0; i < digest.length; i++) {
      out[2 * i] = HEX[(digest[i] >> 4) & 0x0f];
      out[2 * i + 1] = HEX[digest[i] & 0x0f];
    }
    return new String(out);
  }

  private static Mac mac(String folder, String scope, String keyId) {
    if (folder == null || scope == null || keyId == null) {
      throw new IllegalArgumentException("haven_hmac: key folder, scope and key id are required");
    }
    Cache cache = CACHE.get();
    if (cache.last != null && keyId.equals(cache.keyId) && scope.equals(cache.scope)
        && folder.equals(cache.folder)) {
      return cache.last;
    }
    String id = folder + '\0' + scope + '\0' + keyId;
    Mac found = cache.byKey.get(id);
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

  private static Mac load(String folder, String scope, String keyId) {
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
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(new SecretKeySpec(secret, ALGORITHM));
      return mac;
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

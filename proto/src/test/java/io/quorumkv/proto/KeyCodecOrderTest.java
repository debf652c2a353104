package io.quorumkv.proto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.quorumkv.proto.KeyCodec.Bool;
import io.quorumkv.proto.KeyCodec.Bytes;
import io.quorumkv.proto.KeyCodec.Float;
import io.quorumkv.proto.KeyCodec.Int;
import io.quorumkv.proto.KeyCodec.Part;
import io.quorumkv.proto.KeyCodec.Str;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Property tests: the unsigned byte order of encoded keys equals the order KV-CONNECT.md §2
 * documents (bytes < string < bigint < number < false < true; numeric within numbers, with
 * -NaN < -Infinity < ... < -0 < +0 < ... < +Infinity < NaN; bytewise within bytes and strings;
 * a key sorts before every key it is a proper prefix of).
 *
 * <p>Random but replayable: every run prints its seed; set {@code -Dkeycodec.seed=N} to replay.
 */
class KeyCodecOrderTest {
  private static final int VALUES = 500;
  private static final int KEYS = 400;

  private long seed;
  private Random random;

  @BeforeEach
  void seed() {
    seed = Long.getLong("keycodec.seed", System.nanoTime());
    System.out.println("KeyCodecOrderTest seed=" + seed);
    random = new Random(seed);
  }

  /** The documented order of single parts, written independently of the encoder. */
  static final Comparator<Part> DOCUMENTED_PART_ORDER =
      (a, b) -> {
        int byType = Integer.compare(typeRank(a), typeRank(b));
        if (byType != 0) {
          return byType;
        }
        return switch (a) {
          case Bytes x -> Arrays.compareUnsigned(x.value(), ((Bytes) b).value());
          case Str x -> Arrays.compareUnsigned(utf8(x.value()), utf8(((Str) b).value()));
          case Int x -> x.value().compareTo(((Int) b).value());
          case Float x -> compareNumbers(x.value(), ((Float) b).value());
          case Bool x -> 0;
        };
      };

  static final Comparator<List<Part>> DOCUMENTED_KEY_ORDER =
      (a, b) -> {
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
          int c = DOCUMENTED_PART_ORDER.compare(a.get(i), b.get(i));
          if (c != 0) {
            return c;
          }
        }
        return Integer.compare(a.size(), b.size());
      };

  private static int typeRank(Part p) {
    return switch (p) {
      case Bytes x -> 0;
      case Str x -> 1;
      case Int x -> 2;
      case Float x -> 3;
      case Bool x -> x.value() ? 5 : 4;
    };
  }

  /** -NaN < -Infinity < ... < -0.0 < +0.0 < ... < +Infinity < NaN; NaN payloads are equal. */
  private static int compareNumbers(double a, double b) {
    int byNan = Integer.compare(nanRank(a), nanRank(b));
    if (byNan != 0) {
      return byNan;
    }
    return Double.isNaN(a) ? 0 : Double.compare(a, b);
  }

  private static int nanRank(double d) {
    if (!Double.isNaN(d)) {
      return 0;
    }
    return Double.doubleToRawLongBits(d) < 0 ? -1 : 1;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void singlePartsSortLikeTheirEncodings() {
    List<Part> parts = new ArrayList<>(boundaryParts());
    while (parts.size() < VALUES) {
      parts.add(randomPart());
    }
    for (Part a : parts) {
      for (Part b : parts) {
        check(List.of(a), List.of(b));
      }
    }
  }

  @Test
  void multiPartKeysSortLikeTheirEncodings() {
    List<List<Part>> keys = new ArrayList<>();
    while (keys.size() < KEYS) {
      int n = random.nextInt(4);
      List<Part> key = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        // Small alphabet so that keys often share prefixes.
        key.add(random.nextInt(3) == 0 ? randomPart() : smallPart());
      }
      keys.add(key);
    }
    for (List<Part> a : keys) {
      for (List<Part> b : keys) {
        check(a, b);
      }
    }
  }

  @Test
  void sortingByEncodingGivesTheDocumentedTypeOrder() {
    List<List<Part>> keys =
        new ArrayList<>(
            List.of(
                List.of(new Bool(true)),
                List.of(new Float(Double.NaN)),
                List.of(new Float(0.0)),
                List.of(new Int(BigInteger.TEN)),
                List.of(new Int(BigInteger.TEN.negate())),
                List.of(new Str("")),
                List.of(new Bool(false)),
                List.of(new Bytes(new byte[] {(byte) 0xFF}))));
    keys.sort((a, b) -> Arrays.compareUnsigned(KeyCodec.encode(a), KeyCodec.encode(b)));
    assertEquals(
        List.of(
            List.of(new Bytes(new byte[] {(byte) 0xFF})),
            List.of(new Str("")),
            List.of(new Int(BigInteger.TEN.negate())),
            List.of(new Int(BigInteger.TEN)),
            List.of(new Float(0.0)),
            List.of(new Float(Double.NaN)),
            List.of(new Bool(false)),
            List.of(new Bool(true))),
        keys);
  }

  @Test
  void randomKeysRoundTrip() {
    for (int i = 0; i < KEYS; i++) {
      List<Part> key = new ArrayList<>();
      for (int j = random.nextInt(5); j > 0; j--) {
        key.add(randomPart());
      }
      List<Part> decoded = KeyCodec.decode(KeyCodec.encode(key));
      if (!key.equals(decoded)) {
        fail("seed=" + seed + ": " + key + " decoded as " + decoded);
      }
    }
  }

  private void check(List<Part> a, List<Part> b) {
    int expected = Integer.signum(DOCUMENTED_KEY_ORDER.compare(a, b));
    int actual = Integer.signum(Arrays.compareUnsigned(KeyCodec.encode(a), KeyCodec.encode(b)));
    if (expected != actual) {
      fail(
          "seed=" + seed + ": documented order says " + expected + " but encodings say "
              + actual + " for " + a + " vs " + b);
    }
  }

  private static List<Part> boundaryParts() {
    List<Part> out = new ArrayList<>();
    for (int bytes = 0; bytes <= 10; bytes++) {
      BigInteger p = BigInteger.ONE.shiftLeft(8 * bytes);
      for (BigInteger v : List.of(p, p.subtract(BigInteger.ONE), p.add(BigInteger.ONE))) {
        out.add(new Int(v));
        out.add(new Int(v.negate()));
      }
    }
    for (double d :
        new double[] {
          0.0, -0.0, Double.MIN_VALUE, -Double.MIN_VALUE, Double.MAX_VALUE, -Double.MAX_VALUE,
          Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN,
          Double.longBitsToDouble(0xFFF8_0000_0000_0000L), 1.0, -1.0, 0.5, -0.5
        }) {
      out.add(new Float(d));
    }
    out.add(new Bytes(new byte[0]));
    out.add(new Bytes(new byte[] {0}));
    out.add(new Bytes(new byte[] {0, 0}));
    out.add(new Bytes(new byte[] {(byte) 0xFF}));
    out.add(new Str(""));
    out.add(new Str("\0"));
    out.add(new Str("\uFFFF"));
    out.add(new Str("\uD83D\uDE00"));
    out.add(new Bool(false));
    out.add(new Bool(true));
    return out;
  }

  private Part smallPart() {
    return switch (random.nextInt(5)) {
      case 0 -> new Bytes(new byte[] {(byte) random.nextInt(2)});
      case 1 -> new Str(random.nextBoolean() ? "a" : "a\0");
      case 2 -> new Int(BigInteger.valueOf(random.nextInt(3) - 1));
      case 3 -> new Float(random.nextInt(3) - 1.0);
      default -> new Bool(random.nextBoolean());
    };
  }

  private Part randomPart() {
    return switch (random.nextInt(5)) {
      case 0 -> {
        byte[] b = new byte[random.nextInt(6)];
        for (int i = 0; i < b.length; i++) {
          // Bias towards the bytes that interact with escaping.
          int r = random.nextInt(4);
          b[i] = (byte) (r == 0 ? 0 : r == 1 ? 0xFF : random.nextInt(256));
        }
        yield new Bytes(b);
      }
      case 1 -> {
        String alphabet = "\0a\u00e9\uFFFF\uE000";
        StringBuilder sb = new StringBuilder();
        for (int i = random.nextInt(5); i > 0; i--) {
          if (random.nextInt(6) == 0) {
            sb.append("\uD83D\uDE00");
          } else {
            sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
          }
        }
        yield new Str(sb.toString());
      }
      case 2 -> {
        BigInteger v = new BigInteger(random.nextInt(100), random);
        yield new Int(random.nextBoolean() ? v : v.negate());
      }
      case 3 ->
          new Float(
              random.nextBoolean()
                  ? Double.longBitsToDouble(random.nextLong())
                  : (random.nextDouble() - 0.5) * Math.pow(10, random.nextInt(20)));
      default -> new Bool(random.nextBoolean());
    };
  }
}

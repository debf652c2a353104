package io.quorumkv.gateway;

/** The gateway's expert knobs ({@code -Dquorumkv.gateway.*}), checked when the class that uses them loads. */
public final class SystemProperties {
  private SystemProperties() {}

  /**
   * An integer system property that must be at least 1 (0 in-flight calls would let no request
   * through, ever; a 0 socket buffer is refused by the kernel only once a connection arrives).
   *
   * A value that is not a number counts as unset, as in {@link Integer#getInteger}.
   *
   * @throws IllegalArgumentException naming the property, if it is below 1
   */
  public static int positiveInt(String name, int defaultValue) {
    int v = Integer.getInteger(name, defaultValue);
    if (v < 1) {
      throw new IllegalArgumentException("-D" + name + " must be at least 1, got " + v);
    }
    return v;
  }
}

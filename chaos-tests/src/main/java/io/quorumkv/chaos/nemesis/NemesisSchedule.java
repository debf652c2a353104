package io.quorumkv.chaos.nemesis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * A reproducible fault schedule: the same seed and options give exactly the same faults
 * ({@link Random} is specified to produce the same sequence on every JVM). Faults never
 * overlap: each is followed by a quiet period so that recovery can be measured per fault;
 * the run begins with a warm-up and ends with a cool-down without faults.
 */
public record NemesisSchedule(long seed, List<Fault> faults) {
  public NemesisSchedule {
    faults = List.copyOf(faults);
  }

  /**
   * @param types fault types to draw from (uniformly)
   * @param clusterSize number of nodes
   * @param minFault shortest fault
   * @param maxFault longest fault
   * @param minQuiet shortest quiet period after a fault
   * @param maxQuiet longest quiet period after a fault
   * @param warmup fault-free start of the run
   * @param cooldown fault-free end of the run
   * @param electionTimeoutMax the cluster's largest election timeout: pauses last at least
   *     twice this, or the leader would not be replaced and the fault would test nothing
   * @param eachTypeInTurn draw types like cards from a deck (each type once, in a seeded order,
   *     before any repeats), so that a short run still covers every type; false draws each
   *     fault's type independently
   */
  public record Options(Set<FaultType> types, int clusterSize, Duration minFault, Duration maxFault,
      Duration minQuiet, Duration maxQuiet, Duration warmup, Duration cooldown, Duration electionTimeoutMax,
      boolean eachTypeInTurn) {
    public Options {
      types = Set.copyOf(types);
      if (types.isEmpty() || clusterSize < 1 || minFault.compareTo(maxFault) > 0 || minQuiet.compareTo(maxQuiet) > 0
          || minFault.isZero()) {
        throw new IllegalArgumentException("bad schedule options " + this);
      }
    }

    /** Types drawn independently (the schedules every recorded seed was found with). */
    public Options(Set<FaultType> types, int clusterSize, Duration minFault, Duration maxFault,
        Duration minQuiet, Duration maxQuiet, Duration warmup, Duration cooldown, Duration electionTimeoutMax) {
      this(types, clusterSize, minFault, maxFault, minQuiet, maxQuiet, warmup, cooldown, electionTimeoutMax, false);
    }

    /** Every fault type, 3 nodes, faults of 1-5 s, 3-6 s quiet, 3 s warm-up and cool-down. */
    public static Options defaults() {
      return new Options(EnumSet.allOf(FaultType.class), 3, Duration.ofSeconds(1), Duration.ofSeconds(5),
          Duration.ofSeconds(3), Duration.ofSeconds(6), Duration.ofSeconds(3), Duration.ofSeconds(3), Duration.ofMillis(300));
    }

    public Options withTypes(Set<FaultType> t) {
      return new Options(t, clusterSize, minFault, maxFault, minQuiet, maxQuiet, warmup, cooldown, electionTimeoutMax,
          eachTypeInTurn);
    }

    /** Every type once before any type repeats (see {@code eachTypeInTurn}). */
    public Options withEachTypeInTurn() {
      return new Options(types, clusterSize, minFault, maxFault, minQuiet, maxQuiet, warmup, cooldown, electionTimeoutMax,
          true);
    }

  }

  /** The schedule of {@code seed} for a run of {@code runLength}. */
  public static NemesisSchedule generate(long seed, Duration runLength, Options o) {
    Random r = new Random(seed);
    List<FaultType> types = o.types().stream().sorted().toList(); // a fixed order, whatever the Set
    List<FaultType> deck = new ArrayList<>();
    List<Fault> out = new ArrayList<>();
    Duration at = o.warmup();
    Duration last = runLength.minus(o.cooldown());
    while (true) {
      FaultType type;
      if (o.eachTypeInTurn()) {
        if (deck.isEmpty()) {
          deck.addAll(types);
          java.util.Collections.shuffle(deck, r);
        }
        type = deck.removeFirst();
      } else {
        type = types.get(r.nextInt(types.size()));
      }
      Duration d = between(r, o.minFault(), o.maxFault());
      if (type == FaultType.PAUSE_LEADER) {
        Duration min = o.electionTimeoutMax().multipliedBy(2);
        d = d.compareTo(min) < 0 ? min : d;
      }
      int target = switch (type) {
        case KILL9_FOLLOWER, WIPE_FOLLOWER -> r.nextInt(Math.max(1, o.clusterSize() - 1));
        case RESTART, PARTITION -> r.nextInt(o.clusterSize());
        default -> 0;
      };
      Duration quiet = between(r, o.minQuiet(), o.maxQuiet());
      if (at.plus(d).compareTo(last) > 0) {
        break;
      }
      out.add(new Fault(type, target, at, d));
      at = at.plus(d).plus(quiet);
    }
    return new NemesisSchedule(seed, out);
  }

  private static Duration between(Random r, Duration lo, Duration hi) {
    long span = hi.toMillis() - lo.toMillis();
    return lo.plusMillis(span == 0 ? 0 : (long) (r.nextDouble() * (span + 1)));
  }

  /** One line per fault, as printed by run reports. */
  public String describe() {
    StringBuilder b = new StringBuilder("seed " + seed + ", " + faults.size() + " faults");
    for (Fault f : faults) {
      b.append("\n  ").append(f.describe());
    }
    return b.toString();
  }
}

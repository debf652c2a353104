package io.quorumkv.chaos.history;

/**
 * A fault as it was actually injected: from the moment it was applied to the moment it was
 * healed ({@code endNanos} = {@link Op#NEVER} if it never was). Times as in {@link Op}.
 */
public record FaultWindow(String description, long startNanos, long endNanos) {}

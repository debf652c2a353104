package io.quorumkv.node.storage;

/**
 * SQLite (or the file system under it) failed. Never an expected outcome: for the apply path it
 * is fatal (the node must stop rather than diverge from its peers); for reads the caller may
 * answer 5xx.
 */
public final class StorageException extends RuntimeException {
  public StorageException(String message, Throwable cause) {
    super(message, cause);
  }
}

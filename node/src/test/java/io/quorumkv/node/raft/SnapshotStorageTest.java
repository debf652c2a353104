package io.quorumkv.node.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.server.storage.RaftStorageDirectory;
import org.apache.ratis.server.storage.RaftStorageMetadataFile;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.util.MD5FileUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotStorageTest {
  @TempDir Path root;

  @Test
  void remembersThereIsNoSnapshotUntilOneIsTakenOrLoaded() throws Exception {
    SnapshotStorage storage = new SnapshotStorage();
    storage.init(storageAt(root));
    assertNull(storage.getLatestSnapshot());

    // A file appearing behind the storage's back is not seen: no listing per call any more.
    File first = snapshotFile(storage, 1, 10);
    assertNull(storage.getLatestSnapshot());
    // Loading (initialize, or reinitialize after an install from the leader) looks again.
    assertEquals(10, storage.loadLatestSnapshot().getIndex());
    assertEquals(first.toPath(), storage.getLatestSnapshot().getFile().getPath());

    // A snapshot this node takes is seen at once.
    take(storage, 1, 20);
    assertEquals(20, storage.getLatestSnapshot().getIndex());
  }

  @Test
  void aSnapshotTakenAfterAnEmptyListingIsSeen() throws Exception {
    SnapshotStorage storage = new SnapshotStorage();
    storage.init(storageAt(root));
    assertNull(storage.getLatestSnapshot());
    take(storage, 2, 5);
    assertEquals(TermIndex.valueOf(2, 5), storage.getLatestSnapshot().getTermIndex());
  }

  /** What KvStateMachine.takeSnapshot does: write the files, then tell the storage. */
  private static void take(SnapshotStorage storage, long term, long index) throws Exception {
    File f = snapshotFile(storage, term, index);
    storage.updateLatestSnapshot(new SingleFileSnapshotInfo(
        new FileInfo(f.toPath(), MD5FileUtil.readStoredMd5ForFile(f)), TermIndex.valueOf(term, index)));
  }

  /** A snapshot file and its MD5 file, as KvStateMachine.takeSnapshot writes them. */
  private static File snapshotFile(SnapshotStorage storage, long term, long index) throws Exception {
    File f = storage.getSnapshotFile(term, index);
    Files.createDirectories(f.toPath().getParent());
    Files.writeString(f.toPath(), "snapshot " + index);
    MD5FileUtil.computeAndSaveMd5ForFile(f);
    return f;
  }

  private static RaftStorage storageAt(Path root) {
    RaftStorageDirectory dir = new RaftStorageDirectory() {
      @Override
      public File getRoot() {
        return root.toFile();
      }

      @Override
      public boolean isHealthy() {
        return true;
      }
    };
    return new RaftStorage() {
      @Override
      public void initialize() {}

      @Override
      public RaftStorageDirectory getStorageDir() {
        return dir;
      }

      @Override
      public RaftStorageMetadataFile getMetadataFile() {
        throw new UnsupportedOperationException();
      }

      @Override
      public RaftServerConfigKeys.Log.CorruptionPolicy getLogCorruptionPolicy() {
        return RaftServerConfigKeys.Log.CorruptionPolicy.EXCEPTION;
      }

      @Override
      public void close() {}
    };
  }
}

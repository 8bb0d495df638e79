package dev.limits.jdbc.internal;

import dev.limits.jdbc.JdbcDialect;
import dev.limits.spi.Slot;
import dev.limits.spi.SlotUsage;
import dev.limits.spi.WindowCell;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/**
 * The rows of the counter table on one connection whose transaction the caller owns: read, lock, insert
 * placeholders, write back, and the snapshot of a subject. Every locker of a database takes cell rows in one
 * order, subject then key, so that two requests sharing a subject (a user's and the organisation's cells)
 * never wait on each other in a circle. On PostgreSQL that is the order of {@code ORDER BY subject,
 * counter_key} in the database's collation, which its consume functions use too: cells of several subjects
 * are locked here in one such statement (PostgreSQL sorts before it locks). On H2, MariaDB and MySQL every
 * locker is this class: subjects in {@link String#compareTo} order, each subject's rows in one
 * {@code SELECT ... ORDER BY counter_key FOR UPDATE} along the primary key. What matters is only that all
 * lockers of one database agree.
 */
final class CellRows {

  /** A cell's identity: the subject it counts and its key. */
  record CellKey(String subject, String key) {}

  private final Sql sql;

  CellRows(Sql sql) {
    this.sql = sql;
  }

  /**
   * Reads the cells named by {@code keys} (per subject, its keys); with {@code lock}, locks them. Missing
   * rows are absent from the answer. One subject's cells take one statement on its primary key prefix;
   * several subjects' cells take one such statement each, in the map's order, or on PostgreSQL one
   * statement for all, sorted before it locks as the consume functions' statements are.
   */
  Map<CellKey, CellState> read(Connection c, SortedMap<String, ? extends Collection<String>> keys, boolean lock)
      throws SQLException {
    Map<CellKey, CellState> cells = new HashMap<>();
    if (keys.size() == 1 || sql.dialect != JdbcDialect.POSTGRESQL) {
      // H2 locks the rows of a statement as its scan meets them, before any ORDER BY: only a statement on
      // one subject, which walks the primary key, locks in key order there. Subject after subject, in the
      // map's order, is the order on H2, MariaDB and MySQL, where every locker is this class.
      for (Map.Entry<String, ? extends Collection<String>> e : keys.entrySet()) {
        readSubject(c, e.getKey(), List.copyOf(e.getValue()), lock, cells);
      }
      return cells;
    }
    int[] counts = new int[keys.size()];
    int s = 0;
    for (Collection<String> subjectKeys : keys.values()) {
      counts[s++] = subjectKeys.size();
    }
    try (PreparedStatement ps = c.prepareStatement(sql.cellsOfSubjects(counts, lock))) {
      int p = 1;
      for (Map.Entry<String, ? extends Collection<String>> e : keys.entrySet()) {
        ps.setString(p++, e.getKey());
        for (String key : e.getValue()) {
          ps.setString(p++, key);
        }
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          cells.put(new CellKey(rs.getString(9), rs.getString(1)), cellOf(rs));
        }
      }
    }
    return cells;
  }

  private void readSubject(Connection c, String subject, List<String> keys, boolean lock,
      Map<CellKey, CellState> into) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(lock ? sql.lockCells(keys.size()) : sql.readCells(keys.size()))) {
      ps.setString(1, subject);
      for (int i = 0; i < keys.size(); i++) {
        ps.setString(i + 2, keys.get(i));
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          into.put(new CellKey(subject, rs.getString(1)), cellOf(rs));
        }
      }
    }
  }

  /**
   * Locks the cells of {@code wanted} (per subject, per key, the slot a request charges there) for the Java
   * consume (H2, MariaDB, MySQL), subject after subject in the map's order. With {@code createMissing}, a
   * subject's missing rows ({@code seen} lacks them) are first inserted as placeholders so that there is a
   * row to lock (a lock on nothing would let two requests both pass a "9 of 10" check); just before that
   * subject's rows are locked, so that an inserted row, locked by its insert, keeps the order too.
   */
  Map<CellKey, CellState> lock(Connection c, SortedMap<String, SortedMap<String, Slot>> wanted,
      Map<CellKey, CellState> seen, boolean createMissing) throws SQLException {
    Map<CellKey, CellState> locked = new HashMap<>();
    for (Map.Entry<String, SortedMap<String, Slot>> e : wanted.entrySet()) {
      String subject = e.getKey();
      List<String> keys = List.copyOf(e.getValue().keySet());
      int before = locked.size();
      for (int attempt = 0; ; attempt++) {
        if (createMissing) {
          insertPlaceholders(c, subject, e.getValue(), attempt == 0 ? seen : locked);
        }
        readSubject(c, subject, keys, true, locked);
        // A purge may delete a placeholder between insert and lock; then insert again.
        if (!createMissing || locked.size() - before == keys.size() || attempt == 3) {
          break;
        }
      }
    }
    return locked;
  }

  private void insertPlaceholders(Connection c, String subject, SortedMap<String, Slot> slots,
      Map<CellKey, CellState> seen) throws SQLException {
    List<Slot> missing = new ArrayList<>();
    for (Slot slot : slots.values()) {
      if (!seen.containsKey(new CellKey(subject, slot.key()))) {
        missing.add(slot);
      }
    }
    if (missing.isEmpty()) {
      return;
    }
    try (PreparedStatement ps = c.prepareStatement(sql.insertPlaceholder())) {
      for (Slot slot : missing) {
        ps.setString(1, subject);
        ps.setString(2, slot.key());
        ps.setLong(3, slot.length());
        ps.setInt(4, slot.lookback());
        ps.setLong(5, slot.end());
        // kept while a bucket of the slot's window could still count (the SQL's counter_kept_until)
        ps.setLong(6, WindowCell.saturatedAdd(slot.end(), WindowCell.saturatedMultiply(slot.lookback(),
            slot.length())));
        ps.addBatch();
      }
      // On H2 a concurrent insert of the same cell makes this fail with a unique violation, and the whole
      // consume statement fails with it; the caller retries.
      ps.executeBatch();
    }
  }

  /** Writes back the cells that changed. */
  void update(Connection c, Map<CellKey, CellState> cells) throws SQLException {
    boolean any = false;
    try (PreparedStatement ps = c.prepareStatement(sql.updateCell())) {
      for (Map.Entry<CellKey, CellState> e : cells.entrySet()) {
        CellState cell = e.getValue();
        if (!cell.isDirty()) {
          continue;
        }
        ps.setLong(1, cell.bucketMs());
        ps.setInt(2, cell.lookback());
        if (cell.isEmpty()) {
          ps.setNull(3, Types.BIGINT);
        } else {
          ps.setLong(3, cell.periodStart());
        }
        ps.setLong(4, cell.periodEnd());
        ps.setLong(5, cell.used());
        ps.setString(6, cell.earlierStartsText());
        ps.setString(7, cell.earlierUsedText());
        ps.setLong(8, cell.keptUntil());
        ps.setString(9, e.getKey().subject());
        ps.setString(10, e.getKey().key());
        ps.addBatch();
        any = true;
      }
      if (any) {
        ps.executeBatch();
      }
    }
  }

  /** The live cells of a subject at {@code now}. */
  List<SlotUsage> snapshot(Connection c, String subject, long now) throws SQLException {
    List<SlotUsage> result = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(sql.snapshot())) {
      ps.setString(1, subject);
      ps.setLong(2, now);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          CellState cell = cellOf(rs);
          if (!cell.expiredAt(now)) {
            result.add(new SlotUsage(rs.getString(1), cell.periodStart(), cell.usedAt(now)));
          }
        }
      }
    }
    return result;
  }

  /** Reads a cell from columns 2 to 8 of {@link Sql#CELL_COLUMNS}. */
  private static CellState cellOf(ResultSet rs) throws SQLException {
    long periodStart = rs.getLong(4);
    if (rs.wasNull()) {
      periodStart = CellState.EMPTY;
    }
    return CellState.of(rs.getLong(2), rs.getInt(3), periodStart, rs.getLong(5), rs.getLong(6),
        rs.getString(7), rs.getString(8));
  }
}

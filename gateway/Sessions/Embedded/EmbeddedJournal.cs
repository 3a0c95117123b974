using Gateway.Telemetry;
using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Gateway.Sessions.Embedded;

/// <summary>
/// An append-only file of <see cref="JournalRecord"/>s: what the embedded session store must not forget across a
/// restart or a crash. <see cref="Open"/> replays the file; <see cref="Append"/> returns once the record is as durable
/// as <see cref="JournalDurability"/> says; the file is compacted (live records rewritten to a temporary file, fsynced,
/// renamed over the journal) whenever it has grown past the compaction threshold and less than half of it is live.
/// </summary>
/// <remarks>
/// Format: see <see cref="JournalFormat"/>. A damaged last record (a crash during its write) is dropped with a warning
/// and cut off the file; a damaged record followed by more data is refused (<see cref="JournalCorruptException"/>),
/// never skipped. The file is locked while open, so a second process cannot append to it. Appends are serialised by
/// one lock; callers that must order their writes (a version bump, say) append while holding their own lock.
/// </remarks>
internal sealed partial class EmbeddedJournal : IDisposable
{
    /// <summary>Default compaction threshold: 4 MiB.</summary>
    public const long DefaultCompactionThreshold = 4 * 1024 * 1024;

    private readonly Lock _gate = new();
    private readonly Dictionary<(string Kind, string Key), (JournalRecord Record, int Size)> _live = [];
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly JournalDurability _durability;
    private readonly long _compactionThreshold;
    private FileStream? _file;
    private long _length;
    private long _liveBytes;
    private long _nextCheck;
    private Exception? _fault;

    private EmbeddedJournal(string path, FileStream file, TimeProvider time, ILogger logger, JournalDurability durability, long compactionThreshold)
    {
        FilePath = path;
        _file = file;
        _time = time;
        _logger = logger;
        _durability = durability;
        _compactionThreshold = compactionThreshold;
    }

    /// <summary>The journal file's full path.</summary>
    public string FilePath { get; }

    /// <summary>Records read by <see cref="Open"/>, tombstones and expired ones included.</summary>
    public int ReplayedRecords { get; private set; }

    /// <summary>How long <see cref="Open"/> took (read, replay, any repair or compaction).</summary>
    public TimeSpan ReplayDuration { get; private set; }

    /// <summary>Bytes of a damaged last record that <see cref="Open"/> cut off (0 when the file ended cleanly).</summary>
    public long TornBytesDropped { get; private set; }

    /// <summary>Test hook: runs after the compacted copy is written and synced, before it replaces the journal.</summary>
    internal Action<string>? BeforeCompactionRename { get; set; }

    /// <summary>The file's length in bytes.</summary>
    public long Length
    {
        get
        {
            lock (_gate)
            {
                return _length;
            }
        }
    }

    /// <summary>Live (not deleted) records, some possibly expired since the last sweep.</summary>
    public int LiveCount
    {
        get
        {
            lock (_gate)
            {
                return _live.Count;
            }
        }
    }

    /// <summary>
    /// Opens (or creates) the journal at <paramref name="path"/> and replays it. Throws
    /// <see cref="JournalCorruptException"/> when the file cannot be trusted, <see cref="IOException"/> when it cannot be
    /// opened (in use by another process, say).
    /// </summary>
    public static EmbeddedJournal Open(
        string path,
        TimeProvider time,
        ILogger logger,
        JournalDurability durability = JournalDurability.Flush,
        long compactionThreshold = DefaultCompactionThreshold)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(compactionThreshold, 1024);
        var started = Stopwatch.GetTimestamp();
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        // A compaction interrupted by a crash leaves its copy behind; the journal itself is intact.
        File.Delete(TempPath(full));
        var file = OpenExclusive(full, FileMode.OpenOrCreate);
        try
        {
            var journal = new EmbeddedJournal(full, file, time, logger, durability, compactionThreshold);
            journal.Replay();
            journal.ReplayDuration = Stopwatch.GetElapsedTime(started);
            return journal;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>The records live now (not deleted, not expired), in no particular order.</summary>
    public IReadOnlyList<JournalRecord> LiveRecords()
    {
        lock (_gate)
        {
            var now = Now;
            return [.. _live.Values.Select(v => v.Record).Where(r => r.IsLiveAt(now))];
        }
    }

    /// <summary>
    /// Appends <paramref name="record"/>. With <paramref name="durable"/> (the default) it is on disk when this returns if
    /// the durability is <see cref="JournalDurability.Flush"/>; without, it is handed to the operating system only
    /// (survives a process crash, not a power loss), for frequent facts whose loss is tolerable (use counts).
    /// Throws <see cref="IOException"/> when the write failed: the record is then not in the journal.
    /// </summary>
    public void Append(in JournalRecord record, bool durable = true)
    {
        var bytes = JournalFormat.Encode(record);
        lock (_gate)
        {
            var file = Usable();
            try
            {
                file.Write(bytes);
            }
            catch (IOException)
            {
                // A short write (disk full) must not leave half a record in the middle of the file.
                TryTruncate(file, _length);
                throw;
            }

            if (durable && _durability == JournalDurability.Flush)
            {
                try
                {
                    file.Flush(flushToDisk: true);
                }
                catch (IOException ex)
                {
                    // After a failed fsync nothing written since the last good one can be trusted: stop appending.
                    _fault = ex;
                    Log.Faulted(_logger, FilePath, ex);
                    throw;
                }
            }

            _length += bytes.Length;
            Track(record, bytes.Length);
            if (_length >= _nextCheck)
            {
                CompactIfWorthIt(force: false);
            }
        }
    }

    /// <summary>Drops expired and deleted records from the file now (normally done when it is worth it).</summary>
    public void Compact()
    {
        lock (_gate)
        {
            Usable();
            CompactIfWorthIt(force: true);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _file?.Dispose();
            _file = null;
        }
    }

    private long Now => _time.GetUtcNow().ToUnixTimeSeconds();

    private static string TempPath(string path) => path + ".compact";

    private static FileStream OpenExclusive(string path, FileMode mode)
    {
        try
        {
            // FileShare.None takes an exclusive lock (flock on Unix): a second gateway on the same file fails here.
            return new FileStream(path, mode, FileAccess.ReadWrite, FileShare.None, bufferSize: 0);
        }
        catch (IOException ex)
        {
            throw new IOException($"cannot open the journal {path} (in use by another gateway process?): {ex.Message}", ex);
        }
    }

    private FileStream Usable()
    {
        if (_fault is not null)
        {
            throw new IOException($"the journal {FilePath} failed earlier and accepts no more writes until restart: {_fault.Message}", _fault);
        }

        return _file ?? throw new ObjectDisposedException(nameof(EmbeddedJournal));
    }

    private void Replay()
    {
        var file = _file!;
        if (file.Length > Array.MaxLength)
        {
            throw new JournalCorruptException($"the journal {FilePath} is {file.Length} bytes, larger than a journal ever grows");
        }

        var bytes = new byte[file.Length];
        file.Position = 0;
        file.ReadExactly(bytes);
        ReadOnlySpan<byte> span = bytes;
        var header = JournalFormat.FileHeader;
        if (span.Length < header.Length)
        {
            if (!header.StartsWith(span))
            {
                throw new JournalCorruptException($"{FilePath} is not a gateway journal (unknown header)");
            }

            // New, or a crash while it was being created: start it.
            file.SetLength(0);
            file.Write(header);
            file.Flush(flushToDisk: true);
            DirectorySync.TrySync(Path.GetDirectoryName(FilePath)!);
            _length = header.Length;
            _nextCheck = _compactionThreshold;
            return;
        }

        if (!span.StartsWith(header))
        {
            throw new JournalCorruptException($"{FilePath} is not a gateway journal (unknown header)");
        }

        var at = header.Length;
        while (at < span.Length)
        {
            var rest = span[at..];
            var result = JournalFormat.TryRead(rest, out var record, out var size);
            if (result == JournalReadResult.Ok)
            {
                ReplayedRecords++;
                Track(record, size);
                at += size;
                continue;
            }

            if (!IsTornTail(rest, result))
            {
                throw new JournalCorruptException(
                    $"the journal {FilePath} has a damaged record at byte {at} of {span.Length}, followed by more data. " +
                    "Refusing to start without the revocations it may hold: restore the file from a backup, or move it aside " +
                    "to start empty (every revocation in it is then forgotten)");
            }

            // A crash during the last append: that record was never acknowledged. Cut it off so appends follow good data.
            TornBytesDropped = rest.Length;
            Log.TornTail(_logger, FilePath, rest.Length, at);
            file.SetLength(at);
            file.Flush(flushToDisk: true);
            break;
        }

        _length = at;
        file.Position = _length;
        DropExpired();
        _nextCheck = _compactionThreshold;
        if (_length >= _compactionThreshold)
        {
            CompactIfWorthIt(force: false);
        }
    }

    /// <summary>
    /// Whether a bad record at <paramref name="rest"/> can be the tail of one interrupted append: it is cut short, or it
    /// is the file's last record, or the rest of the file is zeros (a file extended without its data after a power
    /// loss); and it is no longer than one record can be. Anything else is damage in the middle.
    /// </summary>
    private static bool IsTornTail(ReadOnlySpan<byte> rest, JournalReadResult result)
    {
        if (rest.Length > JournalFormat.RecordHeaderSize + JournalFormat.MaxPayloadSize)
        {
            return false;
        }

        if (result == JournalReadResult.Truncated || !rest.ContainsAnyExcept((byte)0))
        {
            return true;
        }

        var declared = System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(rest);
        return declared >= JournalFormat.MinPayloadSize && JournalFormat.RecordHeaderSize + declared == rest.Length;
    }

    private void Track(in JournalRecord record, int size)
    {
        var key = (record.Kind, record.Key);
        if (_live.Remove(key, out var old))
        {
            _liveBytes -= old.Size;
        }

        if (!record.IsTombstone)
        {
            _live[key] = (record, size);
            _liveBytes += size;
        }
    }

    private void DropExpired()
    {
        var now = Now;
        foreach (var (key, entry) in _live)
        {
            if (!entry.Record.IsLiveAt(now))
            {
                _live.Remove(key);
                _liveBytes -= entry.Size;
            }
        }
    }

    /// <summary>
    /// Rewrites the live records when the file is at least twice their size (or when forced). Checked again once the
    /// file doubles, so the file stays within about twice its live data (or the threshold) at an amortised O(1) cost.
    /// </summary>
    private void CompactIfWorthIt(bool force)
    {
        DropExpired();
        var headerLength = JournalFormat.FileHeader.Length;
        if (force || _liveBytes * 2 < _length - headerLength)
        {
            Rewrite();
        }

        _nextCheck = Math.Max(_compactionThreshold, _length * 2);
    }

    private void Rewrite()
    {
        var started = Stopwatch.GetTimestamp();
        var temp = TempPath(FilePath);
        var before = _length;
        long length;
        try
        {
            using (var copy = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 64 * 1024))
            {
                copy.Write(JournalFormat.FileHeader);
                foreach (var (record, _) in _live.Values)
                {
                    copy.Write(JournalFormat.Encode(record));
                }

                copy.Flush(flushToDisk: true);
                length = copy.Length;
            }

            BeforeCompactionRename?.Invoke(temp);
            // rename(2): a crash leaves either the old journal or the complete new one, never a mix.
            File.Move(temp, FilePath, overwrite: true);
            // ...and the rename itself on disk, before anything is appended to the new file.
            DirectorySync.TrySync(Path.GetDirectoryName(FilePath)!);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Nothing is lost: the journal is untouched. Try again once it has grown further.
            Log.CompactionFailed(_logger, FilePath, ex);
            TryDelete(temp);
            return;
        }

        var old = _file!;
        try
        {
            _file = OpenExclusive(FilePath, FileMode.Open);
            _file.Position = length;
        }
        catch (IOException ex)
        {
            _file = null;
            _fault = ex;
            Log.Faulted(_logger, FilePath, ex);
            return;
        }
        finally
        {
            old.Dispose();
        }

        _length = length;
        Log.Compacted(_logger, FilePath, before, length, _live.Count, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    private void TryTruncate(FileStream file, long length)
    {
        try
        {
            file.SetLength(length);
            file.Position = length;
        }
        catch (IOException ex)
        {
            _fault = ex;
            Log.Faulted(_logger, FilePath, ex);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Open deletes it next time.
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.JournalTornTail, Level = LogLevel.Warning, Message = "Journal {Path}: its last record was cut short ({Bytes} bytes at offset {Offset}, a crash during a write that was never acknowledged); dropped it")]
        public static partial void TornTail(ILogger logger, string path, long bytes, long offset);

        [LoggerMessage(EventId = LogEvents.JournalCompacted, Level = LogLevel.Information, Message = "Journal {Path} compacted from {Before} to {After} bytes ({Records} live records) in {Milliseconds:F1} ms")]
        public static partial void Compacted(ILogger logger, string path, long before, long after, int records, double milliseconds);

        [LoggerMessage(EventId = LogEvents.JournalCompactionFailed, Level = LogLevel.Error, Message = "Journal {Path}: compaction failed; the journal is unchanged and keeps growing until a later attempt succeeds")]
        public static partial void CompactionFailed(ILogger logger, string path, Exception exception);

        [LoggerMessage(EventId = LogEvents.JournalFaulted, Level = LogLevel.Error, Message = "Journal {Path} failed: revocations cannot be recorded until the gateway restarts")]
        public static partial void Faulted(ILogger logger, string path, Exception exception);
    }
}

using Gateway.Sessions.Embedded;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.Tests.Sessions.Embedded;

/// <summary>The journal on its own: replay, expiry, damaged files, compaction, concurrency.</summary>
public sealed class EmbeddedJournalTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "gateway-tests", "journal-" + Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly FakeLogger _logger = new();

    private string JournalPath => Path.Combine(_directory, "state.journal");

    private long In(TimeSpan span) => _time.GetUtcNow().Add(span).ToUnixTimeSeconds();

    private EmbeddedJournal Open(long threshold = EmbeddedJournal.DefaultCompactionThreshold, JournalDurability durability = JournalDurability.Flush) =>
        EmbeddedJournal.Open(JournalPath, _time, _logger, durability, threshold);

    private static Dictionary<(string, string), JournalRecord> ByKey(EmbeddedJournal journal) =>
        journal.LiveRecords().ToDictionary(r => (r.Kind, r.Key));

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    [Fact]
    public void Open_CreatesTheFileAndItsFolder()
    {
        using var journal = Open();
        Assert.True(File.Exists(JournalPath));
        Assert.Empty(journal.LiveRecords());
        Assert.Equal(JournalFormat.FileHeader.Length, journal.Length);
    }

    [Theory]
    [InlineData(JournalDurability.Flush)]
    [InlineData(JournalDurability.None)]
    public void RoundTrip_LaterRecordWins_TombstoneDeletes_UnicodeAndEmptyValuesSurvive(JournalDurability durability)
    {
        var exp = In(TimeSpan.FromHours(1));
        using (var journal = Open(durability: durability))
        {
            journal.Append(new JournalRecord("token", "iss|alice|j1", "revoked", exp));
            journal.Append(new JournalRecord("user", "iss|alice", "1 100", JournalRecord.Never));
            journal.Append(new JournalRecord("user", "iss|alice", "2 200", JournalRecord.Never));
            journal.Append(new JournalRecord("session", "iss|bob|s", string.Empty, exp));
            journal.Append(JournalRecord.Delete("session", "iss|bob|s"));
            journal.Append(new JournalRecord("token", "iss|zoë|日本", "ümlaut ✓", exp), durable: false);
        }

        using var reopened = Open(durability: durability);
        var live = ByKey(reopened);
        Assert.Equal(3, live.Count);
        Assert.Equal(new JournalRecord("token", "iss|alice|j1", "revoked", exp), live[("token", "iss|alice|j1")]);
        Assert.Equal("2 200", live[("user", "iss|alice")].Value);
        Assert.Equal(JournalRecord.Never, live[("user", "iss|alice")].ExpiresAt);
        Assert.Equal("ümlaut ✓", live[("token", "iss|zoë|日本")].Value);
        Assert.False(live.ContainsKey(("session", "iss|bob|s")));
        Assert.Equal(6, reopened.ReplayedRecords);
    }

    [Fact]
    public void Replay_DropsExpiredRecords_EvenWhenALaterOneExtendedThem()
    {
        using (var journal = Open())
        {
            journal.Append(new JournalRecord("token", "short", string.Empty, In(TimeSpan.FromSeconds(10))));
            journal.Append(new JournalRecord("token", "long", string.Empty, In(TimeSpan.FromSeconds(10))));
            journal.Append(new JournalRecord("token", "long", string.Empty, In(TimeSpan.FromHours(1))));
        }

        _time.Advance(TimeSpan.FromSeconds(10));
        using var reopened = Open();
        Assert.Equal(["long"], reopened.LiveRecords().Select(r => r.Key));
    }

    [Fact]
    public void TornTail_IsDroppedWithAWarning_AndAppendsContinueAfterTheLastGoodRecord()
    {
        var exp = In(TimeSpan.FromHours(1));
        long goodLength;
        using (var journal = Open())
        {
            journal.Append(new JournalRecord("token", "a", string.Empty, exp));
            journal.Append(new JournalRecord("token", "b", string.Empty, exp));
            goodLength = journal.Length;
            journal.Append(new JournalRecord("token", "c", "a record cut short by a crash", exp));
        }

        // A crash in the middle of the last write: only part of it reached the file.
        using (var file = new FileStream(JournalPath, FileMode.Open))
        {
            file.SetLength(file.Length - 7);
        }

        using (var journal = Open())
        {
            Assert.Equal(["a", "b"], journal.LiveRecords().Select(r => r.Key).Order());
            Assert.Equal(goodLength, journal.Length);
            Assert.True(journal.TornBytesDropped > 0);
            Assert.Contains(_logger.Collector.GetSnapshot(), l => l.Id.Id == 3502 && l.Message.Contains(JournalPath, StringComparison.Ordinal));
            journal.Append(new JournalRecord("token", "d", string.Empty, exp));
        }

        using var again = Open();
        Assert.Equal(["a", "b", "d"], again.LiveRecords().Select(r => r.Key).Order());
        Assert.Equal(0, again.TornBytesDropped);
    }

    [Theory]
    [InlineData("header-only")]
    [InlineData("garbled-last")]
    [InlineData("zeros")]
    public void TornTail_OtherShapes_AreDroppedToo(string shape)
    {
        var exp = In(TimeSpan.FromHours(1));
        using (var journal = Open())
        {
            journal.Append(new JournalRecord("token", "a", string.Empty, exp));
        }

        var tail = JournalFormat.Encode(new JournalRecord("token", "b", string.Empty, exp));
        byte[] written = shape switch
        {
            // Only part of the 8-byte record header reached the disk.
            "header-only" => tail[..5],
            // The whole length, but the payload is not what was written (checksum fails): the file's last record.
            "garbled-last" => [.. tail[..^3], 0xFF, 0xFE, 0xFD],
            // The file grew but its data never arrived (power loss on some file systems).
            _ => new byte[tail.Length + 100],
        };
        using (var file = new FileStream(JournalPath, FileMode.Append))
        {
            file.Write(written);
        }

        using var reopened = Open();
        Assert.Equal(["a"], reopened.LiveRecords().Select(r => r.Key));
        Assert.Equal(written.Length, reopened.TornBytesDropped);
    }

    [Fact]
    public void DamageInTheMiddle_IsRefused_NamingTheFile_AndTheFileIsLeftAlone()
    {
        var exp = In(TimeSpan.FromHours(1));
        using (var journal = Open())
        {
            journal.Append(new JournalRecord("token", "a", string.Empty, exp));
            journal.Append(new JournalRecord("token", "b", string.Empty, exp));
            journal.Append(new JournalRecord("token", "c", string.Empty, exp));
        }

        var bytes = File.ReadAllBytes(JournalPath);
        bytes[JournalFormat.FileHeader.Length + JournalFormat.RecordHeaderSize + 2] ^= 0x40; // a bit flip in record "a"
        File.WriteAllBytes(JournalPath, bytes);

        var ex = Assert.Throws<JournalCorruptException>(() => Open());
        Assert.Contains(JournalPath, ex.Message, StringComparison.Ordinal);
        Assert.Contains($"byte {JournalFormat.FileHeader.Length}", ex.Message, StringComparison.Ordinal);
        Assert.Equal(bytes, File.ReadAllBytes(JournalPath));
    }

    [Fact]
    public void ALongRunOfGarbageAtTheEnd_IsNotATornRecord_AndIsRefused()
    {
        using (var journal = Open())
        {
            journal.Append(new JournalRecord("token", "a", string.Empty, In(TimeSpan.FromHours(1))));
        }

        using (var file = new FileStream(JournalPath, FileMode.Append))
        {
            file.Write(Enumerable.Repeat((byte)0x5A, JournalFormat.MaxPayloadSize + 100).ToArray());
        }

        Assert.Throws<JournalCorruptException>(() => Open());
    }

    [Fact]
    public void NotAJournal_IsRefused()
    {
        Directory.CreateDirectory(_directory);
        File.WriteAllText(JournalPath, "{\"this\": \"is a config file\"}");
        var ex = Assert.Throws<JournalCorruptException>(() => Open());
        Assert.Contains("not a gateway journal", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ASecondOpenOfTheSameFile_IsRefusedWhileTheFirstIsOpen()
    {
        using var first = Open();
        var ex = Assert.Throws<IOException>(() => Open());
        Assert.Contains(JournalPath, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compaction_KeepsTheFileBounded_AndEveryLiveRecord()
    {
        const long threshold = 16 * 1024;
        var exp = In(TimeSpan.FromHours(1));
        using (var journal = Open(threshold))
        {
            for (var i = 0; i < 5000; i++)
            {
                // 50 live keys, each overwritten 100 times, plus short-lived records that expire along the way.
                journal.Append(new JournalRecord("uses", "k" + (i % 50), i.ToString(System.Globalization.CultureInfo.InvariantCulture), exp), durable: false);
                journal.Append(new JournalRecord("once", "t" + i, string.Empty, In(TimeSpan.FromSeconds(1))), durable: false);
                if (i % 100 == 99)
                {
                    _time.Advance(TimeSpan.FromSeconds(2));
                }

                Assert.True(journal.Length <= 2 * threshold + 1024, $"the journal grew to {journal.Length} bytes");
            }
        }

        Assert.Contains(_logger.Collector.GetSnapshot(), l => l.Id.Id == 3503);
        using var reopened = Open(threshold);
        var uses = reopened.LiveRecords().Where(r => r.Kind == "uses").ToDictionary(r => r.Key, r => r.Value);
        Assert.Equal(50, uses.Count);
        Assert.Equal("4999", uses["k49"]);
        Assert.Equal("4950", uses["k0"]);
        Assert.False(File.Exists(JournalPath + ".compact"));
    }

    [Fact]
    public void Compact_RewritesOnlyLiveRecords()
    {
        var exp = In(TimeSpan.FromHours(1));
        using var journal = Open();
        journal.Append(new JournalRecord("user", "u", "1 1", JournalRecord.Never));
        journal.Append(new JournalRecord("user", "u", "2 2", JournalRecord.Never));
        journal.Append(new JournalRecord("token", "gone", string.Empty, exp));
        journal.Append(JournalRecord.Delete("token", "gone"));
        journal.Append(new JournalRecord("token", "expiring", string.Empty, In(TimeSpan.FromSeconds(5))));
        _time.Advance(TimeSpan.FromSeconds(5));

        journal.Compact();

        var live = new JournalRecord("user", "u", "2 2", JournalRecord.Never);
        Assert.Equal(JournalFormat.FileHeader.Length + JournalFormat.EncodedSize(live), journal.Length);
        Assert.Equal(journal.Length, new FileInfo(JournalPath).Length);
        journal.Append(new JournalRecord("token", "after", string.Empty, exp));
        journal.Dispose();
        using var reopened = Open();
        Assert.Equal(["after", "u"], reopened.LiveRecords().Select(r => r.Key).Order());
    }

    [Fact]
    public void ACrashDuringCompaction_LosesNothing()
    {
        var exp = In(TimeSpan.FromHours(1));
        using (var journal = Open())
        {
            journal.Append(new JournalRecord("token", "a", string.Empty, exp));
            journal.Append(new JournalRecord("token", "b", string.Empty, exp));
            journal.Append(JournalRecord.Delete("token", "b"));
            // The copy is written and synced, then the rename fails (as a crash at that moment would leave it).
            journal.BeforeCompactionRename = temp =>
            {
                Assert.True(File.Exists(temp));
                throw new IOException("simulated crash before the rename");
            };
            journal.Compact();
            Assert.Contains(_logger.Collector.GetSnapshot(), l => l.Id.Id == 3504);
            Assert.False(File.Exists(JournalPath + ".compact"));
            // The journal goes on working on the untouched file.
            journal.Append(new JournalRecord("token", "c", string.Empty, exp));
        }

        // A crash can also leave a half-written copy behind: it is ignored and removed at the next open.
        File.WriteAllBytes(JournalPath + ".compact", [1, 2, 3]);
        using var reopened = Open();
        Assert.Equal(["a", "c"], reopened.LiveRecords().Select(r => r.Key).Order());
        Assert.False(File.Exists(JournalPath + ".compact"));
    }

    [Fact]
    public async Task ConcurrentAppends_AreAllKept_AndTheFileStaysWellFormed()
    {
        var exp = In(TimeSpan.FromHours(1));
        using (var journal = Open(threshold: 16 * 1024))
        {
            await Task.WhenAll(Enumerable.Range(0, 8).Select(t => Task.Run(() =>
            {
                for (var i = 0; i < 250; i++)
                {
                    journal.Append(new JournalRecord("token", $"t{t}-{i}", new string('x', i % 40), exp), durable: i % 10 == 0);
                }
            })));
            Assert.Equal(2000, journal.LiveCount);
        }

        using var reopened = Open(threshold: 16 * 1024);
        Assert.Equal(2000, reopened.LiveRecords().Count);
        Assert.Equal(0, reopened.TornBytesDropped);
    }

    [Fact]
    public void DirectorySync_Works_WhereRenamesNeedIt()
    {
        Directory.CreateDirectory(_directory);
        Assert.Equal(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS(), DirectorySync.TrySync(_directory));
        Assert.False(DirectorySync.TrySync(Path.Combine(_directory, "missing")));
    }

    [Fact]
    public void ARecordTooLargeForTheFormat_IsRefusedBeforeAnythingIsWritten()
    {
        using var journal = Open();
        var before = journal.Length;
        Assert.Throws<ArgumentException>(() => journal.Append(new JournalRecord("token", new string('k', JournalFormat.MaxPayloadSize), string.Empty, JournalRecord.Never)));
        Assert.Equal(before, journal.Length);
    }
}

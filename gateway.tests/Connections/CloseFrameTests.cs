using System.Text;
using Gateway.Gate.Connections;

namespace Gateway.Tests.Connections;

/// <summary>The close frame the gateway writes (RFC 6455 §5.5.1), the frame tracker, and where the close frame goes in a copied stream.</summary>
public sealed class CloseFrameTests
{
    [Fact]
    public void Encode_IsAnUnmaskedFinalCloseFrame_WithCodeAndReason()
    {
        var frame = CloseFrame.Encode(4001, "session_revoked");

        Assert.Equal(0x88, frame[0]);                        // FIN + opcode 0x8
        Assert.Equal(2 + "session_revoked".Length, frame[1]); // no mask bit, 7-bit length
        Assert.Equal(4001, (frame[2] << 8) | frame[3]);       // network byte order
        Assert.Equal("session_revoked", Encoding.UTF8.GetString(frame, 4, frame.Length - 4));
    }

    [Fact]
    public void Encode_LongReason_IsCutTo123BytesOnACharacterBoundary()
    {
        var frame = CloseFrame.Encode(4001, new string('a', 122) + "é" + "tail");

        Assert.Equal(2 + 122, frame[1]); // "é" is two bytes: it would end at 124, so it is left out whole
        Assert.Equal(new string('a', 122), Encoding.UTF8.GetString(frame, 4, frame.Length - 4));
        Assert.Equal(2 + 123, CloseFrame.Encode(4001, new string('b', 500))[1]);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(125)]
    [InlineData(126)]
    [InlineData(70_000)]
    public void Tracker_FindsFrameEnds_WhateverTheChunking(int payload)
    {
        var frames = Frame(0x2, payload, masked: false).Concat(Frame(0x1, 3, masked: true)).ToArray();
        foreach (var chunk in new[] { 1, 2, 7, 1000, frames.Length })
        {
            var tracker = new WebSocketFrameTracker();
            var boundaries = new List<int>();
            for (var offset = 0; offset < frames.Length;)
            {
                var size = Math.Min(chunk, frames.Length - offset);
                var slice = frames.AsSpan(offset, size);
                var taken = 0;
                while (taken < size)
                {
                    var step = tracker.Advance(slice[taken..], stopAtBoundary: true);
                    if (step == 0)
                    {
                        // At a boundary: take at least the next byte.
                        step = tracker.Advance(slice.Slice(taken, 1), stopAtBoundary: false);
                    }

                    taken += step;
                    if (tracker.AtBoundary)
                    {
                        boundaries.Add(offset + taken);
                    }
                }

                offset += size;
            }

            Assert.Equal([frames.Length - (2 + 4 + 3), frames.Length], boundaries.Distinct());
            Assert.False(tracker.SawClose);
        }
    }

    [Fact]
    public void Tracker_NoticesACloseFrame()
    {
        var tracker = new WebSocketFrameTracker();
        tracker.Advance(Frame(0x1, 4, masked: true), stopAtBoundary: false);
        Assert.False(tracker.SawClose);
        tracker.Advance(Frame(0x8, 2, masked: true), stopAtBoundary: false);
        Assert.True(tracker.SawClose);
    }

    [Fact]
    public async Task GuardedStream_CloseMidFrame_GoesAfterTheFrame_AndNothingFollows()
    {
        var inner = new MemoryStream();
        var stream = new GuardedStream(inner);
        var message = Frame(0x2, 300, masked: false);
        var next = Frame(0x1, 10, masked: false);
        var close = CloseFrame.Encode(4001, "token_revoked");

        await stream.WriteAsync(message.AsMemory(0, 100));
        var closing = stream.CloseAsync(close, TimeSpan.FromMilliseconds(300));
        Assert.Equal(100, inner.Length); // not at a boundary: nothing written yet
        await stream.WriteAsync(message.AsMemory(100).ToArray().Concat(next).ToArray());
        await stream.WriteAsync(next);
        await closing;

        Assert.Equal(message.Concat(close).ToArray(), inner.ToArray());
    }

    [Fact]
    public async Task GuardedStream_CloseAtBoundary_IsWrittenAtOnce()
    {
        var inner = new MemoryStream();
        var stream = new GuardedStream(inner);
        var message = Frame(0x1, 5, masked: false);
        await stream.WriteAsync(message);

        await stream.CloseAsync(CloseFrame.Encode(4001, "session_revoked"), TimeSpan.FromMilliseconds(200));

        Assert.Equal(message.Concat(CloseFrame.Encode(4001, "session_revoked")).ToArray(), inner.ToArray());
    }

    /// <summary>A whole frame: FIN, opcode, the shortest length encoding, an optional mask key, zero payload bytes.</summary>
    private static byte[] Frame(int opcode, int payload, bool masked)
    {
        var header = new List<byte> { (byte)(0x80 | opcode) };
        var mask = masked ? 0x80 : 0;
        if (payload < 126)
        {
            header.Add((byte)(mask | payload));
        }
        else if (payload <= ushort.MaxValue)
        {
            header.AddRange([(byte)(mask | 126), (byte)(payload >> 8), (byte)payload]);
        }
        else
        {
            header.Add((byte)(mask | 127));
            header.AddRange(BitConverter.GetBytes((ulong)payload).Reverse());
        }

        if (masked)
        {
            header.AddRange([1, 2, 3, 4]);
        }

        return [.. header, .. new byte[payload]];
    }
}

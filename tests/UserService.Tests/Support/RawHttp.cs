using System.Net.Sockets;
using System.Text;

namespace UserService.Tests.Support;

/// <summary>
/// Bytes on a socket, for requests no HttpClient will send (malformed framing, oversized headers, chunked bodies) and
/// for seeing exactly what Kestrel answers. Aimed only at anonymous routes or at limits Kestrel enforces before routing.
/// </summary>
public static class RawHttp
{
    public sealed record Answer(int Status, string Head, string Body)
    {
        public string? ContentType => Head.Split("\r\n").FirstOrDefault(l => l.StartsWith("Content-Type:", StringComparison.OrdinalIgnoreCase))?[13..].Trim();
    }

    /// <summary>
    /// Sends the head, then the body in pieces, <paramref name="pause"/> before each (a server may answer and close
    /// early), and reads until the server closes.
    /// </summary>
    public static async Task<Answer> SendAsync(int port, string head, IEnumerable<byte[]>? body = null, TimeSpan? timeout = null, TimeSpan pause = default)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(20));
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port, cts.Token);
        var stream = client.GetStream();
        try
        {
            await stream.WriteAsync(Encoding.Latin1.GetBytes(head), cts.Token);
            foreach (var piece in body ?? [])
            {
                await Task.Delay(pause, cts.Token);
                await stream.WriteAsync(piece, cts.Token);
            }
        }
        catch (IOException)
        {
            // The server answered and closed before taking the whole request: read what it said.
        }

        var received = new MemoryStream();
        var buffer = new byte[8192];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, cts.Token)) > 0)
            {
                received.Write(buffer, 0, read);
            }
        }
        catch (IOException)
        {
            // Reset after the answer.
        }

        var text = Encoding.UTF8.GetString(received.ToArray());
        var split = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var headPart = split < 0 ? text : text[..split];
        var status = headPart.Length >= 12 && int.TryParse(headPart.AsSpan(9, 3), out var code) ? code : 0;
        return new(status, headPart, split < 0 ? "" : text[(split + 4)..]);
    }

    /// <summary>A body in HTTP/1.1 chunked framing.</summary>
    public static IEnumerable<byte[]> Chunked(byte[] body, int chunkSize = 8192)
    {
        for (var offset = 0; offset < body.Length; offset += chunkSize)
        {
            var size = Math.Min(chunkSize, body.Length - offset);
            yield return [.. Encoding.ASCII.GetBytes($"{size:x}\r\n"), .. body.AsSpan(offset, size), .. "\r\n"u8];
        }

        yield return "0\r\n\r\n"u8.ToArray();
    }
}

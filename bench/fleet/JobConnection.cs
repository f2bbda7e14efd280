using System.Net.Sockets;
using System.Text;

namespace Registry.Bench.Fleet;

/// <summary>
/// One job's HTTP/1.1 connection, used from the job's own thread with blocking calls, as a training script's client
/// does: no thread pool, no async machinery between the clock and the socket, so the generator spends its CPU on
/// little more than the system calls (HttpClient cost it ten times wrk's CPU per request). Keeps the connection alive
/// when the server does (Kestrel, uvicorn) and reconnects when it closes it (gunicorn's sync workers close each one).
/// </summary>
internal sealed class JobConnection(string host, int port, string? token) : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly byte[] buffer = new byte[16 * 1024];
    private Socket? socket;
    private int start, end;

    public HttpAnswer Send(string method, string path, string contentType, ReadOnlySpan<byte> body)
    {
        // Head and body in one write: one system call and, for a small request, one segment.
        var head = $"{method} {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: {contentType}\r\nContent-Length: {body.Length}\r\n"
            + (token is null ? "" : $"Authorization: Bearer {token}\r\n") + "\r\n";
        var request = new byte[head.Length + body.Length];
        Encoding.ASCII.GetBytes(head, request);
        body.CopyTo(request.AsSpan(head.Length));
        for (var attempt = 0; ; attempt++)
        {
            var reused = socket is not null;
            try
            {
                return Exchange(request);
            }
            catch (Exception error) when (error is IOException or SocketException { SocketErrorCode: not SocketError.TimedOut })
            {
                Dispose();
                // A kept-alive connection the server closed as the request went out (its idle timeout) gets one retry
                // on a new connection, as HTTP clients do; anything else is the server's failure.
                if (!reused || attempt > 0)
                {
                    throw;
                }
            }
            catch (SocketException)
            {
                Dispose();
                throw;
            }
        }
    }

    public void Dispose()
    {
        socket?.Dispose();
        socket = null;
        start = end = 0;
    }

    private HttpAnswer Exchange(byte[] request)
    {
        if (socket is null)
        {
            socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)
            {
                NoDelay = true, ReceiveTimeout = (int)Timeout.TotalMilliseconds, SendTimeout = (int)Timeout.TotalMilliseconds,
            };
            socket.Connect(host, port);
        }
        socket.Send(request);

        var status = ReadStatusAndHeaders(out var length, out var chunked, out var close);
        var content = chunked ? ReadChunked() : ReadExactly(length);
        if (close)
        {
            Dispose();
        }
        return new HttpAnswer(status, Encoding.UTF8.GetString(content));
    }

    private int ReadStatusAndHeaders(out int length, out bool chunked, out bool close)
    {
        var status = ParseStatus(ReadLine());
        length = 0;
        chunked = false;
        close = false;
        for (var line = ReadLine(); line.Length > 0; line = ReadLine())
        {
            var colon = line.IndexOf(':');
            var name = line[..Math.Max(colon, 0)].Trim();
            var value = line[(colon + 1)..].Trim();
            if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                length = int.Parse(value);
            }
            else if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
            {
                chunked = value.Contains("chunked", StringComparison.OrdinalIgnoreCase);
            }
            else if (name.Equals("Connection", StringComparison.OrdinalIgnoreCase))
            {
                close = value.Equals("close", StringComparison.OrdinalIgnoreCase);
            }
        }
        return status;
    }

    private static int ParseStatus(string line) =>
        line.StartsWith("HTTP/1.", StringComparison.Ordinal) && line.Length >= 12 && int.TryParse(line.AsSpan(9, 3), out var status)
            ? status : throw new IOException($"not an HTTP response: {line}");

    private byte[] ReadChunked()
    {
        var content = new List<byte>();
        while (true)
        {
            var size = Convert.ToInt32(ReadLine().Split(';')[0].Trim(), 16);
            if (size == 0)
            {
                while (ReadLine().Length > 0)
                {
                }
                return [.. content];
            }
            content.AddRange(ReadExactly(size));
            ReadLine();
        }
    }

    private string ReadLine()
    {
        while (true)
        {
            var newline = Array.IndexOf(buffer, (byte)'\n', start, end - start);
            if (newline >= 0)
            {
                var line = Encoding.ASCII.GetString(buffer, start, newline - start).TrimEnd('\r');
                start = newline + 1;
                return line;
            }
            Fill();
        }
    }

    private byte[] ReadExactly(int length)
    {
        var content = new byte[length];
        var copied = 0;
        while (copied < length)
        {
            if (start == end)
            {
                Fill();
            }
            var take = Math.Min(length - copied, end - start);
            Buffer.BlockCopy(buffer, start, content, copied, take);
            start += take;
            copied += take;
        }
        return content;
    }

    private void Fill()
    {
        if (start > 0)
        {
            Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
            end -= start;
            start = 0;
        }
        if (end == buffer.Length)
        {
            throw new IOException("an HTTP header line longer than the buffer");
        }
        var read = socket!.Receive(buffer, end, buffer.Length - end, SocketFlags.None);
        end += read > 0 ? read : throw new IOException("the server closed the connection");
    }
}

internal readonly record struct HttpAnswer(int Status, string Body)
{
    public bool Succeeded => Status is >= 200 and < 300;
}

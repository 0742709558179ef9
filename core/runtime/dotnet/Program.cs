// Runs a blocking workload on the real .NET thread pool and prints what the pool did, for Porthole's
// model-vs-real tests:
//   ThreadPoolProbe growth sleep|wait ITEMS SECONDS
//     ITEMS work items that block (Thread.Sleep, or Task.Wait on a task that never completes: the
//     sync-over-async case), queued at once; then every change of ThreadPool.ThreadCount as
//     "growth <seconds since queueing> <threads>", one per line.
//   ThreadPoolProbe delay-stack COUNT
//     COUNT Task.Delay(200) continuations; each prints its managed stack, innermost first, as
//     "stack <frame> TAB <frame> TAB ...", and the thread it ran on ("on <name> <isThreadPoolThread>").
//   ThreadPoolProbe socket-stack
//     an awaited receive on a loopback TCP connection, completed through the socket engine; the
//     continuation prints its stack and thread as delay-stack does.
//   ThreadPoolProbe socket-threads
//     one receive pending on a loopback TCP connection; then the name of every thread of this process
//     (from /proc/self/task/*/comm on Linux), one "thread <name>" per line.
//   ThreadPoolProbe sockets sleep|wait COUNT BLOCK_MS SECONDS
//     Porthole's `dotnet-real` runtime: COUNT loopback TCP connections, an awaited receive on each;
//     then one byte to each at once. Each continuation (run by the pool, as the socket engine hands it
//     over) blocks BLOCK_MS: Thread.Sleep, or Task.Wait on a task queued to the pool's global queue
//     (sync-over-async). Prints "ready", then "begin <ns> <tid>" and "end <ns> <tid>" around each
//     callback (Stopwatch ticks: CLOCK_MONOTONIC nanoseconds on Linux, the clock Porthole stamps with;
//     tid: the OS thread), until SECONDS have passed.
// The first line is always "runtime <RuntimeInformation.FrameworkDescription>".
using System.Diagnostics;
using System.Runtime.InteropServices;

Console.WriteLine($"runtime {RuntimeInformation.FrameworkDescription}");
Console.WriteLine($"processors {Environment.ProcessorCount}");
if (args.Length >= 4 && args[0] == "growth")
    Growth(args[1] == "wait", int.Parse(args[2]), double.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture));
else if (args.Length >= 2 && args[0] == "delay-stack")
    await DelayStacks(int.Parse(args[1]));
else if (args.Length >= 1 && args[0] == "socket-threads")
    await SocketThreads();
else if (args.Length >= 1 && args[0] == "socket-stack")
    await SocketStack();
else if (args.Length >= 5 && args[0] == "sockets")
    Sockets(args[1] == "wait", int.Parse(args[2]), int.Parse(args[3]), double.Parse(args[4], System.Globalization.CultureInfo.InvariantCulture));
else {
    Console.Error.WriteLine("usage: ThreadPoolProbe growth sleep|wait ITEMS SECONDS | delay-stack COUNT");
    return 2;
}
return 0;

static void Growth(bool taskWait, int items, double seconds)
{
    var never = new TaskCompletionSource();
    var clock = Stopwatch.StartNew();
    for (int i = 0; i < items; i++)
        ThreadPool.UnsafeQueueUserWorkItem(_ => {
            if (taskWait)
                never.Task.Wait(TimeSpan.FromSeconds(seconds + 5));
            else
                Thread.Sleep(TimeSpan.FromSeconds(seconds + 5));
        }, null);
    int last = -1;
    while (clock.Elapsed.TotalSeconds < seconds) {
        int n = ThreadPool.ThreadCount;
        if (n != last) {
            Console.WriteLine(FormattableString.Invariant($"growth {clock.Elapsed.TotalSeconds:F4} {n}"));
            last = n;
        }
        Thread.Sleep(1);
    }
    Console.Out.Flush();
    Environment.Exit(0); // the blocked items need not finish
}

// A connected loopback TCP pair: the listener, the client end and the server's socket.
static async Task<(System.Net.Sockets.TcpListener, System.Net.Sockets.TcpClient, System.Net.Sockets.Socket)> Loopback()
{
    var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
    listener.Start();
    var client = new System.Net.Sockets.TcpClient();
    await client.ConnectAsync(System.Net.IPAddress.Loopback, ((System.Net.IPEndPoint)listener.LocalEndpoint).Port);
    return (listener, client, await listener.AcceptSocketAsync());
}

static string StackLine() =>
    "stack " + string.Join("\t", new StackTrace().GetFrames()
        .Select(f => f.GetMethod())
        .Where(m => m != null)
        .Select(m => m.DeclaringType?.FullName + "." + m.Name));

static async Task SocketStack()
{
    var (listener, client, server) = await Loopback();
    using var _l = listener;
    using var _c = client;
    using var _s = server;
    async Task<string> Receive()
    {
        await server.ReceiveAsync(new byte[16], System.Net.Sockets.SocketFlags.None); // no data yet: waits for epoll
        return StackLine() + "\non " + Thread.CurrentThread.Name + " " + Thread.CurrentThread.IsThreadPoolThread;
    }
    var received = Receive();
    await Task.Delay(200);
    client.GetStream().Write(new byte[] { 1 });
    Console.WriteLine(await received);
}

static async Task SocketThreads()
{
    var (listener, client, server) = await Loopback();
    using var _l = listener;
    using var _c = client;
    using var _s = server;
    var pending = server.ReceiveAsync(new byte[16], System.Net.Sockets.SocketFlags.None); // waits for epoll
    await Task.Delay(300);
    foreach (var task in Directory.GetDirectories("/proc/self/task"))
        Console.WriteLine("thread " + File.ReadAllText(Path.Combine(task, "comm")).TrimEnd('\n'));
    GC.KeepAlive(pending);
}

// On the main thread throughout: no pool thread is taken by the probe itself.
static void Sockets(bool taskWait, int count, int blockMs, double seconds)
{
    var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
    listener.Start(count);
    var pairs = new List<(System.Net.Sockets.TcpListener, System.Net.Sockets.TcpClient, System.Net.Sockets.Socket)>();
    for (int i = 0; i < count; i++) {
        var client = new System.Net.Sockets.TcpClient();
        client.Connect(System.Net.IPAddress.Loopback, ((System.Net.IPEndPoint)listener.LocalEndpoint).Port);
        pairs.Add((listener, client, listener.AcceptSocket()));
    }
    var output = System.Threading.Channels.Channel.CreateUnbounded<string>();
    static int OsThreadId() => int.Parse(File.ReadAllText("/proc/thread-self/stat").Split(' ')[0]);
    async Task Receive(System.Net.Sockets.Socket server)
    {
        await server.ReceiveAsync(new byte[16], System.Net.Sockets.SocketFlags.None); // waits for epoll
        int tid = OsThreadId();
        output.Writer.TryWrite(FormattableString.Invariant($"begin {Stopwatch.GetTimestamp()} {tid}"));
        if (taskWait)
            Task.Factory.StartNew(() => Thread.SpinWait(1000), TaskCreationOptions.PreferFairness).Wait(blockMs); // global queue: no inlining
        else
            Thread.Sleep(blockMs);
        output.Writer.TryWrite(FormattableString.Invariant($"end {Stopwatch.GetTimestamp()} {tid}"));
    }
    var receives = pairs.Select(p => Receive(p.Item3)).ToList();
    Console.WriteLine("ready");
    Console.Out.Flush();
    foreach (var (_, client, _) in pairs)
        client.GetStream().Write(new byte[] { 1 });
    var clock = Stopwatch.StartNew();
    while (clock.Elapsed.TotalSeconds < seconds) {
        while (output.Reader.TryRead(out var line))
            Console.WriteLine(line);
        Console.Out.Flush();
        Thread.Sleep(20);
    }
    GC.KeepAlive(receives);
    Environment.Exit(0); // blocked callbacks need not finish
}

static async Task DelayStacks(int count)
{
    var lines = new System.Collections.Concurrent.ConcurrentQueue<string>();
    async Task One()
    {
        await Task.Delay(200);
        lines.Enqueue(StackLine());
        lines.Enqueue($"on {Thread.CurrentThread.Name} {Thread.CurrentThread.IsThreadPoolThread}");
    }
    await Task.WhenAll(Enumerable.Range(0, count).Select(_ => One()));
    foreach (var line in lines)
        Console.WriteLine(line);
}

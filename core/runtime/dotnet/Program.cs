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
//   ThreadPoolProbe workitem-stack
//     one ThreadPool.UnsafeQueueUserWorkItem callback prints its stack and thread as delay-stack does.
//   ThreadPoolProbe socket-threads
//     one receive pending on a loopback TCP connection; then the name of every thread of this process
//     (from /proc/self/task/*/comm on Linux), one "thread <name>" per line.
//   ThreadPoolProbe run KEY=VALUE ...
//     Porthole's `dotnet-real` runtime: a scenario's workload (Workload below says which keys). Loopback TCP
//     connections, an awaited receive on each, again after each callback; messages sent from the main thread
//     (a burst to every socket each period, or a rate round-robin or to one hot socket; "rate R" on stdin
//     changes it). Each callback burns CPU or hands it to a work item (QueueUserWorkItem), and every k-th
//     blocks: Thread.Sleep, or Task.Wait on a task queued to the pool's global queue (sync-over-async).
//     Task.Delay timers; SetMinThreads / SetMaxThreads at the start and at given times. Prints "ready", then
//     "begin <ns> <tid>" and "end <ns> <tid>" around each callback, "timer <ns> <tid>" when a Task.Delay
//     continuation runs, each preceded by "frames <tid> <frame> TAB ..." when that thread's managed stack
//     (innermost first) differs from the last it reported, and "limit <ns> <worker_min|worker_max|io_min|io_max>
//     <1 set|0 refused> <value>" (ns: Stopwatch ticks, CLOCK_MONOTONIC nanoseconds on Linux, the clock Porthole
//     stamps with; tid: the OS thread), until SECONDS have passed.
// The first line is always "runtime <RuntimeInformation.FrameworkDescription>".
using System.Diagnostics;
using System.Runtime.InteropServices;

Console.WriteLine($"runtime {RuntimeInformation.FrameworkDescription}");
Console.WriteLine($"processors {Environment.ProcessorCount}");
if (args.Length >= 4 && args[0] == "growth")
    Growth(args[1] == "wait", int.Parse(args[2]), double.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture));
else if (args.Length >= 2 && args[0] == "delay-stack")
    await DelayStacks(int.Parse(args[1]));
else if (args.Length >= 1 && args[0] == "workitem-stack")
    WorkItemStack();
else if (args.Length >= 1 && args[0] == "socket-threads")
    await SocketThreads();
else if (args.Length >= 1 && args[0] == "socket-stack")
    await SocketStack();
else if (args.Length >= 1 && args[0] == "run")
    RunWorkload(new Workload(args.Skip(1)));
else {
    Console.Error.WriteLine("usage: ThreadPoolProbe growth sleep|wait ITEMS SECONDS | delay-stack COUNT | workitem-stack | socket-stack | socket-threads | run KEY=VALUE ...");
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

static string StackLine() => "stack " + Frames(1);

// The calling method's managed stack, innermost first, as "Type.Method" joined by tabs (skip: frames of
// the probe's own helpers to leave out).
static string Frames(int skip) =>
    string.Join("\t", new StackTrace(skip + 1).GetFrames()
        .Select(f => f.GetMethod())
        .Where(m => m != null)
        .Select(m => (m.DeclaringType?.FullName + "." + m.Name).Replace(' ', '_')));

static void WorkItemStack()
{
    using var done = new ManualResetEventSlim();
    ThreadPool.UnsafeQueueUserWorkItem(_ => {
        Console.WriteLine(StackLine());
        Console.WriteLine($"on {Thread.CurrentThread.Name} {Thread.CurrentThread.IsThreadPoolThread}");
        done.Set();
    }, null);
    done.Wait();
}

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

// On the main thread throughout (sending, printing): no pool thread is taken by the probe itself.
static void RunWorkload(Workload w)
{
    ThreadPool.GetMinThreads(out int minWorkers, out int minIo);
    ThreadPool.GetMaxThreads(out int maxWorkers, out int maxIo);
    var output = System.Threading.Channels.Channel.CreateUnbounded<string>();
    void Say(string line) => output.Writer.TryWrite(line);
    void SetLimits(Limits l)
    {
        // SetMaxThreads first when raising, SetMinThreads first when lowering: each call must keep min <= max.
        if (l.WorkerMax >= 0 || l.IoMax >= 0) {
            int workers = l.WorkerMax >= 0 ? l.WorkerMax : maxWorkers, io = l.IoMax >= 0 ? l.IoMax : maxIo;
            bool set = ThreadPool.SetMaxThreads(workers, io);
            if (set) { maxWorkers = workers; maxIo = io; }
            if (l.WorkerMax >= 0) Say(Invariant($"limit {Stopwatch.GetTimestamp()} worker_max {(set ? 1 : 0)} {workers}"));
            if (l.IoMax >= 0) Say(Invariant($"limit {Stopwatch.GetTimestamp()} io_max {(set ? 1 : 0)} {io}"));
        }
        if (l.WorkerMin >= 0 || l.IoMin >= 0) {
            int workers = l.WorkerMin >= 0 ? l.WorkerMin : minWorkers, io = l.IoMin >= 0 ? l.IoMin : minIo;
            bool set = ThreadPool.SetMinThreads(workers, io);
            if (set) { minWorkers = workers; minIo = io; }
            if (l.WorkerMin >= 0) Say(Invariant($"limit {Stopwatch.GetTimestamp()} worker_min {(set ? 1 : 0)} {workers}"));
            if (l.IoMin >= 0) Say(Invariant($"limit {Stopwatch.GetTimestamp()} io_min {(set ? 1 : 0)} {io}"));
        }
    }
    SetLimits(w.Start);

    var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
    listener.Start(Math.Max(w.Sockets, 1));
    var clients = new List<System.Net.Sockets.Socket>();
    var servers = new List<System.Net.Sockets.Socket>();
    for (int i = 0; i < w.Sockets; i++) {
        var client = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        client.Connect(System.Net.IPAddress.Loopback, ((System.Net.IPEndPoint)listener.LocalEndpoint).Port);
        client.NoDelay = true;
        clients.Add(client);
        servers.Add(listener.AcceptSocket());
    }
    var lastFrames = new ThreadLocal<string>();
    long sequence = 0;
    void Report(string what, int tid)
    {
        string frames = Frames(1);
        if (frames != lastFrames.Value) {
            lastFrames.Value = frames;
            Say($"frames {tid} {frames}");
        }
        Say(Invariant($"{what} {Stopwatch.GetTimestamp()} {tid}"));
    }
    async Task ReceiveLoop(System.Net.Sockets.Socket server)
    {
        var buffer = new byte[4096];
        while (await server.ReceiveAsync(buffer, System.Net.Sockets.SocketFlags.None) > 0) { // waits for epoll
            int tid = OsThreadId();
            Report("begin", tid);
            if (w.Offload)
                ThreadPool.UnsafeQueueUserWorkItem(_ => { Burn(w.CpuUs); if (w.OffloadBlockMs > 0) Thread.Sleep(w.OffloadBlockMs); }, null);
            else
                Burn(w.CpuUs);
            if (w.BlockEvery > 0 && w.BlockMs > 0 && Interlocked.Increment(ref sequence) % w.BlockEvery == 0) {
                if (w.TaskWait)
                    Task.Factory.StartNew(() => Thread.SpinWait(1000), TaskCreationOptions.PreferFairness).Wait(w.BlockMs); // global queue: no inlining
                else
                    Thread.Sleep(w.BlockMs);
            }
            Say(Invariant($"end {Stopwatch.GetTimestamp()} {tid}"));
        }
    }
    async Task Delay(int ms)
    {
        await Task.Delay(ms);
        Report("timer", OsThreadId());
    }
    var receives = servers.Select(ReceiveLoop).ToList();
    var timers = Enumerable.Range(0, w.Timers).Select(_ => Delay(w.TimerMs)).ToList();
    double rate = w.Rate;
    new Thread(() => { // "rate R" commands from Porthole
        for (string line; (line = Console.In.ReadLine()) != null;)
            if (line.StartsWith("rate ") && double.TryParse(line.AsSpan(5), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double r))
                Volatile.Write(ref rate, r);
    }) { IsBackground = true }.Start();
    Console.WriteLine("ready");
    Console.Out.Flush();

    var clock = Stopwatch.StartNew();
    var one = new byte[] { 1 };
    double owed = 0, lastSend = 0, nextBurst = 0;
    int next = 0;
    var changes = new Queue<(double At, Limits Limits)>(w.Changes);
    while (clock.Elapsed.TotalSeconds < w.Seconds) {
        double now = clock.Elapsed.TotalSeconds;
        while (changes.Count > 0 && changes.Peek().At <= now)
            SetLimits(changes.Dequeue().Limits);
        if (w.Sockets > 0 && w.Traffic == "burst" && now >= nextBurst) {
            foreach (var client in clients)
                client.Send(one);
            nextBurst = now + w.BurstMs / 1000.0;
        } else if (w.Sockets > 0 && w.Traffic != "burst" && w.Traffic != "none") {
            owed += Volatile.Read(ref rate) * (now - lastSend);
            for (; owed >= 1; owed -= 1)
                clients[w.Traffic == "hot" ? 0 : next++ % clients.Count].Send(one);
        }
        lastSend = now;
        while (output.Reader.TryRead(out var line))
            Console.WriteLine(line);
        Console.Out.Flush();
        Thread.Sleep(10);
    }
    GC.KeepAlive(receives);
    GC.KeepAlive(timers);
    Environment.Exit(0); // blocked callbacks need not finish
}

static string Invariant(FormattableString s) => FormattableString.Invariant(s);

static int OsThreadId() => int.Parse(File.ReadAllText("/proc/thread-self/stat").Split(' ')[0]);

static void Burn(int microseconds)
{
    if (microseconds <= 0)
        return;
    long until = Stopwatch.GetTimestamp() + microseconds * Stopwatch.Frequency / 1_000_000;
    while (Stopwatch.GetTimestamp() < until) { }
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

// SetMinThreads / SetMaxThreads values (-1: leave as it is).
record Limits(int WorkerMin = -1, int WorkerMax = -1, int IoMin = -1, int IoMax = -1)
{
    public static Limits Parse(IEnumerable<string> parts)
    {
        var v = parts.Select(p => p.Length == 0 ? -1 : int.Parse(p)).Concat(Enumerable.Repeat(-1, 4)).ToArray();
        return new Limits(v[0], v[1], v[2], v[3]);
    }
}

// The workload of `run`, from KEY=VALUE arguments: sockets, traffic=burst|uniform|hot|none, rate (messages/s),
// burst_ms, cpu_us, offload=0|1, offload_block_ms, block_every, block_ms, block=sleep|wait, timers, timer_ms,
// limits=WMIN:WMAX:IOMIN:IOMAX (empty: unchanged), change=AT_S:WMIN:WMAX:IOMIN:IOMAX (any number), seconds.
class Workload
{
    public int Sockets, BurstMs = 1000, CpuUs, OffloadBlockMs, BlockEvery, BlockMs, Timers, TimerMs = 100;
    public double Rate, Seconds = 3600;
    public string Traffic = "burst";
    public bool Offload, TaskWait;
    public Limits Start = new();
    public List<(double, Limits)> Changes = new();

    public Workload(IEnumerable<string> args)
    {
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        foreach (var arg in args) {
            var (key, value) = (arg.Split('=', 2)[0], arg.Split('=', 2).ElementAtOrDefault(1) ?? "");
            switch (key) {
            case "sockets": Sockets = int.Parse(value); break;
            case "traffic": Traffic = value; break;
            case "rate": Rate = double.Parse(value, inv); break;
            case "burst_ms": BurstMs = int.Parse(value); break;
            case "cpu_us": CpuUs = int.Parse(value); break;
            case "offload": Offload = value == "1"; break;
            case "offload_block_ms": OffloadBlockMs = int.Parse(value); break;
            case "block_every": BlockEvery = int.Parse(value); break;
            case "block_ms": BlockMs = int.Parse(value); break;
            case "block": TaskWait = value == "wait"; break;
            case "timers": Timers = int.Parse(value); break;
            case "timer_ms": TimerMs = int.Parse(value); break;
            case "limits": Start = Limits.Parse(value.Split(':')); break;
            case "change": Changes.Add((double.Parse(value.Split(':')[0], inv), Limits.Parse(value.Split(':').Skip(1)))); break;
            case "seconds": Seconds = double.Parse(value, inv); break;
            default: throw new ArgumentException($"unknown key {key}");
            }
        }
    }
}

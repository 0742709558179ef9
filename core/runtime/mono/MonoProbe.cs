// The probe for Porthole's `mono-real` runtime and its Mono tests: the same workloads and the same lines as
// core/runtime/dotnet/Program.cs, written for Mono's `mcs` (C# 6, the .NET Framework-era class library):
//   MonoProbe workitem-stack
//     one ThreadPool.UnsafeQueueUserWorkItem callback prints its managed stack, innermost first, as
//     "stack <frame> TAB <frame> ...", and "on <comm of its thread> <IsThreadPoolThread>".
//   MonoProbe socket-stack
//     a BeginReceive callback on a loopback TCP connection prints its stack and thread the same way.
//   MonoProbe socket-threads
//     one receive pending on a loopback TCP connection; then "thread <comm>" for every thread of this process.
//   MonoProbe run KEY=VALUE ...
//     Porthole's `mono-real` runtime: the workload and the lines of Program.cs's `run` (the same keys), with
//     BeginReceive callbacks (the .NET Framework's asynchronous pattern) in place of awaited receives.
// The first line is always "runtime <RuntimeInformation.FrameworkDescription>".
using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

static class MonoProbe
{
    static int Main(string[] args)
    {
        Console.WriteLine("runtime " + System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription);
        Console.WriteLine("processors " + Environment.ProcessorCount);
        if (args.Length >= 1 && args[0] == "workitem-stack")
            WorkItemStack();
        else if (args.Length >= 1 && args[0] == "socket-stack")
            SocketStack();
        else if (args.Length >= 1 && args[0] == "socket-threads")
            SocketThreads();
        else if (args.Length >= 1 && args[0] == "run")
            RunWorkload(new Workload(args.Skip(1)));
        else {
            Console.Error.WriteLine("usage: MonoProbe workitem-stack | socket-stack | socket-threads | run KEY=VALUE ...");
            return 2;
        }
        Console.Out.Flush();
        return 0;
    }

    // The caller's managed stack, innermost first, "Type.Method" joined by tabs; skip: the probe's own frames to leave out.
    static string Frames(int skip)
    {
        return string.Join("\t", new StackTrace(skip + 1).GetFrames()
            .Select(f => f.GetMethod())
            .Where(m => m != null)
            .Select(m => ((m.DeclaringType == null ? "" : m.DeclaringType.FullName) + "." + m.Name).Replace(' ', '_')));
    }

    static string Comm() { return File.ReadAllText("/proc/thread-self/comm").TrimEnd('\n'); }
    static int OsThreadId() { return int.Parse(File.ReadAllText("/proc/thread-self/stat").Split(' ')[0]); }
    static long Nanoseconds() { return (long)(Stopwatch.GetTimestamp() * (1e9 / Stopwatch.Frequency)); }

    static void WorkItemStack()
    {
        var done = new ManualResetEvent(false);
        ThreadPool.UnsafeQueueUserWorkItem(_ => {
            Console.WriteLine("stack " + Frames(0));
            Console.WriteLine("on " + Comm() + " " + Thread.CurrentThread.IsThreadPoolThread);
            done.Set();
        }, null);
        done.WaitOne();
    }

    static Socket[] Loopback(TcpListener listener, out TcpClient client)
    {
        client = new TcpClient();
        client.Connect(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
        return new[] { listener.AcceptSocket() };
    }

    static void SocketStack()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        TcpClient client;
        var server = Loopback(listener, out client)[0];
        var done = new ManualResetEvent(false);
        var buffer = new byte[16];
        server.BeginReceive(buffer, 0, buffer.Length, SocketFlags.None, ar => {
            server.EndReceive(ar);
            Console.WriteLine("stack " + Frames(0));
            Console.WriteLine("on " + Comm() + " " + Thread.CurrentThread.IsThreadPoolThread);
            done.Set();
        }, null);
        Thread.Sleep(200); // the receive waits for the I/O selector
        client.GetStream().Write(new byte[] { 1 }, 0, 1);
        done.WaitOne();
    }

    static void SocketThreads()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        TcpClient client;
        var server = Loopback(listener, out client)[0];
        server.BeginReceive(new byte[16], 0, 16, SocketFlags.None, ar => { }, null);
        Thread.Sleep(300);
        foreach (var task in Directory.GetDirectories("/proc/self/task"))
            Console.WriteLine("thread " + File.ReadAllText(Path.Combine(task, "comm")).TrimEnd('\n'));
        GC.KeepAlive(client);
    }

    static void Burn(int microseconds)
    {
        if (microseconds <= 0)
            return;
        long until = Stopwatch.GetTimestamp() + microseconds * Stopwatch.Frequency / 1000000;
        while (Stopwatch.GetTimestamp() < until) { }
    }

    static ConcurrentQueue<string> output = new ConcurrentQueue<string>();
    [ThreadStatic] static string lastFrames;

    static void Report(string what, int tid)
    {
        string frames = Frames(1);
        if (frames != lastFrames) {
            lastFrames = frames;
            output.Enqueue("frames " + tid + " " + frames);
        }
        output.Enqueue(string.Format(CultureInfo.InvariantCulture, "{0} {1} {2}", what, Nanoseconds(), tid));
    }

    static int minWorkers, minIo, maxWorkers, maxIo;

    static void SetLimits(int[] l) // worker_min, worker_max, io_min, io_max; -1: unchanged
    {
        if (l[1] >= 0 || l[3] >= 0) {
            int workers = l[1] >= 0 ? l[1] : maxWorkers, io = l[3] >= 0 ? l[3] : maxIo;
            bool set = ThreadPool.SetMaxThreads(workers, io);
            if (set) { maxWorkers = workers; maxIo = io; }
            if (l[1] >= 0) output.Enqueue(string.Format("limit {0} worker_max {1} {2}", Nanoseconds(), set ? 1 : 0, workers));
            if (l[3] >= 0) output.Enqueue(string.Format("limit {0} io_max {1} {2}", Nanoseconds(), set ? 1 : 0, io));
        }
        if (l[0] >= 0 || l[2] >= 0) {
            int workers = l[0] >= 0 ? l[0] : minWorkers, io = l[2] >= 0 ? l[2] : minIo;
            bool set = ThreadPool.SetMinThreads(workers, io);
            if (set) { minWorkers = workers; minIo = io; }
            if (l[0] >= 0) output.Enqueue(string.Format("limit {0} worker_min {1} {2}", Nanoseconds(), set ? 1 : 0, workers));
            if (l[2] >= 0) output.Enqueue(string.Format("limit {0} io_min {1} {2}", Nanoseconds(), set ? 1 : 0, io));
        }
    }

    static long sequence;

    static void Receive(Socket socket, Workload w)
    {
        var buffer = new byte[4096];
        socket.BeginReceive(buffer, 0, buffer.Length, SocketFlags.None, ar => {
            if (socket.EndReceive(ar) <= 0)
                return;
            int tid = OsThreadId();
            Report("begin", tid);
            if (w.Offload)
                ThreadPool.UnsafeQueueUserWorkItem(_ => { Burn(w.CpuUs); if (w.OffloadBlockMs > 0) Thread.Sleep(w.OffloadBlockMs); }, null);
            else
                Burn(w.CpuUs);
            if (w.BlockEvery > 0 && w.BlockMs > 0 && Interlocked.Increment(ref sequence) % w.BlockEvery == 0) {
                if (w.TaskWait)
                    Task.Factory.StartNew(() => Thread.SpinWait(1000), TaskCreationOptions.PreferFairness).Wait(w.BlockMs);
                else
                    Thread.Sleep(w.BlockMs);
            }
            output.Enqueue(string.Format(CultureInfo.InvariantCulture, "end {0} {1}", Nanoseconds(), tid));
            Receive(socket, w);
        }, null);
    }

    // On the main thread throughout (sending, printing): no pool thread is taken by the probe itself.
    static void RunWorkload(Workload w)
    {
        ThreadPool.GetMinThreads(out minWorkers, out minIo);
        ThreadPool.GetMaxThreads(out maxWorkers, out maxIo);
        SetLimits(w.Start);
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start(Math.Max(w.Sockets, 1));
        var clients = new List<Socket>();
        for (int i = 0; i < w.Sockets; i++) {
            var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            client.Connect(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
            client.NoDelay = true;
            clients.Add(client);
            Receive(listener.AcceptSocket(), w);
        }
        for (int i = 0; i < w.Timers; i++)
            Task.Delay(w.TimerMs).ContinueWith(_ => Report("timer", OsThreadId()));
        double rate = w.Rate;
        var commands = new Thread(() => { // "rate R" commands from Porthole
            for (string line; (line = Console.In.ReadLine()) != null;) {
                double r;
                if (line.StartsWith("rate ") && double.TryParse(line.Substring(5), NumberStyles.Float, CultureInfo.InvariantCulture, out r))
                    Volatile.Write(ref rate, r);
            }
        });
        commands.IsBackground = true;
        commands.Start();
        Console.WriteLine("ready");
        Console.Out.Flush();
        var clock = Stopwatch.StartNew();
        var one = new byte[] { 1 };
        double owed = 0, lastSend = 0, nextBurst = 0;
        int next = 0, change = 0;
        while (clock.Elapsed.TotalSeconds < w.Seconds) {
            double now = clock.Elapsed.TotalSeconds;
            for (; change < w.Changes.Count && w.Changes[change].Key <= now; ++change)
                SetLimits(w.Changes[change].Value);
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
            string line;
            while (output.TryDequeue(out line))
                Console.WriteLine(line);
            Console.Out.Flush();
            Thread.Sleep(10);
        }
        Environment.Exit(0); // blocked callbacks need not finish
    }
}

// The workload of `run`: the keys of Program.cs's Workload.
class Workload
{
    public int Sockets, BurstMs = 1000, CpuUs, OffloadBlockMs, BlockEvery, BlockMs, Timers, TimerMs = 100;
    public double Rate, Seconds = 3600;
    public string Traffic = "burst";
    public bool Offload, TaskWait;
    public int[] Start = { -1, -1, -1, -1 };
    public List<KeyValuePair<double, int[]>> Changes = new List<KeyValuePair<double, int[]>>();

    static int[] ParseLimits(IEnumerable<string> parts)
    {
        return parts.Select(p => p.Length == 0 ? -1 : int.Parse(p)).Concat(Enumerable.Repeat(-1, 4)).Take(4).ToArray();
    }

    public Workload(IEnumerable<string> args)
    {
        var inv = CultureInfo.InvariantCulture;
        foreach (var arg in args) {
            int eq = arg.IndexOf('=');
            string key = eq < 0 ? arg : arg.Substring(0, eq), value = eq < 0 ? "" : arg.Substring(eq + 1);
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
            case "limits": Start = ParseLimits(value.Split(':')); break;
            case "change": Changes.Add(new KeyValuePair<double, int[]>(double.Parse(value.Split(':')[0], inv), ParseLimits(value.Split(':').Skip(1)))); break;
            case "seconds": Seconds = double.Parse(value, inv); break;
            default: throw new ArgumentException("unknown key " + key);
            }
        }
    }
}

// Storage under load and under faults, measured from outside as a workflow engine sees it:
//   dotnet run -c Release --project bench/Storage.Faults -- restart [--accounts 20 --readers 64 --restarts 3]
//   dotnet run -c Release --project bench/Storage.Faults -- kill [--accounts 200 --readers 64 --reuse-grace-seconds 0]
//   dotnet run -c Release --project bench/Storage.Faults -- wal [--accounts 50000 --writers 1 --readers 0 --snapshot-seconds 0]
// restart and kill: two Host processes on a private PostgreSQL, an app on loopback whose refresh tokens rotate and are
//      good once (a reuse revokes the chain), accounts whose tokens live a few seconds, and a workflow engine's client
//      reading credentials; PostgreSQL is restarted, or the silo hosting most accounts is killed. Reports refresh
//      tokens presented twice, accounts ending needs_reconnect, and failures that reached the client untyped.
// wal: creates key accounts one after another on the embedded profile and reports how large SQLite's write-ahead
//      log grows beside the database; --snapshot-seconds makes another process hold a read snapshot that long at a time.
using System.Globalization;
using Accounts.Orleans.Storage.Faults.Bench;

var command = args.FirstOrDefault();
return command switch
{
    "wal" => await WalGrowth.RunAsync(Option("--accounts", 50_000), Option("--writers", 1), Option("--readers", 0), Option("--snapshot-seconds", 0)),
    "restart" => await FaultRuns.RestartAsync(Option("--accounts", 20), Option("--readers", 64), Option("--restarts", 3)),
    "kill" => await FaultRuns.KillAsync(Option("--accounts", 200), Option("--readers", 64), Option("--reuse-grace-seconds", 0)),
    _ => Usage(),
};

int Usage()
{
    Console.Error.WriteLine("usage: Storage.Faults restart|kill|wal [options: see the top of Program.cs]");
    return 2;
}

int Option(string name, int fallback)
    => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;

using Accounts.Orleans.Tui;

return await ConsoleApp.RunAsync(args);

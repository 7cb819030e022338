using Accounts.Orleans.Host.Hosting;

return await AccountsHost.RunAsync(args);

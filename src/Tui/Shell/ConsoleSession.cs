namespace Accounts.Orleans.Tui.Shell;

/// <summary>What every screen needs: the cluster, who the operator is (for the audit trail) and how to open dialogs.</summary>
public sealed record ConsoleSession(IGrainFactory Grains, string Operator, IModals Modals)
{
    /// <summary>The clock behind "in 42m" and "3h ago"; tests set a fake one.</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;
}

using Accounts.Orleans.Connections.Refresh;

namespace Accounts.Orleans.Connections.Tests.Refresh;

public sealed class TokenBudgetTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_minute_gives_its_calls_evenly_and_no_more()
    {
        var budget = new TokenBudget(6, Start);

        var first = Enumerable.Range(0, 10).Count(_ => budget.TryTake(Start, urgent: false, 6));
        var afterTenSeconds = Enumerable.Range(0, 10).Count(_ => budget.TryTake(Start.AddSeconds(10), urgent: false, 6));
        var afterAnHour = Enumerable.Range(0, 10).Count(_ => budget.TryTake(Start.AddHours(1), urgent: false, 6));

        Assert.Equal(6, first);
        Assert.Equal(1, afterTenSeconds);
        // Idle time does not bank calls beyond one minute's worth.
        Assert.Equal(6, afterAnHour);
    }

    [Fact]
    public void Urgent_calls_always_go_and_hold_back_the_ones_that_can_wait_for_at_most_a_minute()
    {
        var budget = new TokenBudget(4, Start);

        var urgent = Enumerable.Range(0, 20).Count(_ => budget.TryTake(Start, urgent: true, 4));
        var waitingAtOnce = budget.TryTake(Start, urgent: false, 4);
        var afterOneMinute = budget.TryTake(Start.AddMinutes(1), urgent: false, 4);
        var afterTwoMinutes = budget.TryTake(Start.AddMinutes(2), urgent: false, 4);

        Assert.Equal(20, urgent);
        Assert.False(waitingAtOnce);
        // The overdraft is at most one minute's worth: after two minutes the budget is back.
        Assert.False(afterOneMinute);
        Assert.True(afterTwoMinutes);
    }

    [Fact]
    public void A_clock_that_steps_back_neither_refills_nor_breaks_the_bucket_and_a_changed_limit_applies_at_once()
    {
        var budget = new TokenBudget(2, Start);
        budget.TryTake(Start, urgent: false, 2);
        budget.TryTake(Start, urgent: false, 2);

        var backwards = budget.TryTake(Start.AddMinutes(-5), urgent: false, 2);
        var raised = Enumerable.Range(0, 10).Count(_ => budget.TryTake(Start.AddMinutes(1), urgent: false, 5));

        Assert.False(backwards);
        Assert.Equal(5, raised);
        Assert.Equal(5, budget.PerMinute);
    }
}

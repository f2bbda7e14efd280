using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Registry.Data.Entities;

namespace Registry.Data.Configurations;

internal sealed class WebhookConfiguration : IEntityTypeConfiguration<Webhook>
{
    public void Configure(EntityTypeBuilder<Webhook> webhook)
    {
        webhook.ToTable("webhooks");
        webhook.Property(w => w.Id).HasDefaultValueSql("gen_random_uuid()");
        webhook.Property(w => w.Name).HasMaxLength(Limits.WebhookName);
        webhook.Property(w => w.Description).HasMaxLength(Limits.WebhookDescription);
        webhook.Property(w => w.Url).HasMaxLength(Limits.WebhookUrl);
        webhook.Property(w => w.Status).HasMaxLength(16);
        // Listing pages newest first, as MLflow orders them; emitting looks up a project's subscribers.
        webhook.HasIndex(w => new { w.ProjectId, w.CreatedAt, w.Id }).IsDescending(false, true, true);
        webhook.HasOne<Project>().WithMany().HasForeignKey(w => w.ProjectId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class WebhookEventConfiguration : IEntityTypeConfiguration<WebhookEvent>
{
    public void Configure(EntityTypeBuilder<WebhookEvent> webhookEvent)
    {
        // Nothing but its key: every write with a subscriber inserts one, and a dispatcher deletes it moments later.
        webhookEvent.ToTable("webhook_events");
        webhookEvent.Property(e => e.Event).HasMaxLength(64);
        webhookEvent.Property(e => e.Payload).HasColumnType("json");
        webhookEvent.Property(e => e.CreatedAt).HasDefaultValueSql("now()");
    }
}

internal sealed class WebhookDeliveryConfiguration : IEntityTypeConfiguration<WebhookDelivery>
{
    public void Configure(EntityTypeBuilder<WebhookDelivery> delivery)
    {
        delivery.ToTable("webhook_deliveries");
        delivery.Property(d => d.DeliveryId).HasDefaultValueSql("gen_random_uuid()");
        delivery.HasIndex(d => d.DeliveryId).IsUnique();
        delivery.Property(d => d.Event).HasMaxLength(64);
        delivery.Property(d => d.Payload).HasColumnType("json");
        delivery.Property(d => d.CreatedAt).HasDefaultValueSql("now()");
        delivery.Property(d => d.State).HasMaxLength(16).HasDefaultValue("pending");
        delivery.Property(d => d.Attempts).HasDefaultValue(0);
        delivery.Property(d => d.NextAttemptAt).HasDefaultValueSql("now()");
        delivery.Property(d => d.GiveUpAt).HasDefaultValueSql("now() + interval '24 hours'");
        // What the dispatchers claim: only the pending rows, by when they are due.
        delivery.HasIndex(d => d.NextAttemptAt).HasFilter("state = 'pending'");
        delivery.HasIndex(d => new { d.WebhookId, d.Id });
        // Deleting a project deletes its webhooks and so their deliveries. No foreign key of its own to projects: every write
        // inserts up to one row per webhook, and each would lock the project's row (KEY SHARE) that the write often updates.
        delivery.HasOne<Webhook>().WithMany().HasForeignKey(d => d.WebhookId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class WebhookDeliveryAttemptConfiguration : IEntityTypeConfiguration<WebhookDeliveryAttempt>
{
    public void Configure(EntityTypeBuilder<WebhookDeliveryAttempt> attempt)
    {
        attempt.ToTable("webhook_delivery_attempts");
        attempt.HasIndex(a => new { a.DeliveryId, a.Id });
        attempt.HasOne<WebhookDelivery>().WithMany().HasForeignKey(a => a.DeliveryId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ApiDataProtectionKeyConfiguration : IEntityTypeConfiguration<ApiDataProtectionKey>
{
    public void Configure(EntityTypeBuilder<ApiDataProtectionKey> key) => key.ToTable("api_data_protection_keys");
}

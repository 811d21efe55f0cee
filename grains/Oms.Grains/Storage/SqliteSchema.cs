
using Microsoft.Data.Sqlite;

namespace Oms.Grains.Storage;

/// <summary>
/// Creates the tables and stored queries the Orleans ADO.NET grain storage and reminder providers need in a SQLite
/// file. Orleans ships no SQLite script; ours (sqlite-storage.sql, sqlite-reminders.sql) follow the providers'
/// contracts and are idempotent.
/// </summary>
public static class SqliteSchema
{
    /// <summary>The ADO.NET invariant that Orleans maps to Microsoft.Data.Sqlite's SqliteFactory (a built-in map, not DbProviderFactories).</summary>
    public const string Invariant = "System.Data.SQLite";

    public static string ConnectionString(string path) => new SqliteConnectionStringBuilder
    {
        DataSource = path,
        Pooling = true,
    }.ToString();

    public static void EnsureCreated(string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null) Directory.CreateDirectory(directory);


        using var connection = new SqliteConnection(ConnectionString(path));
        connection.Open();
        using var command = connection.CreateCommand();
        foreach (var script in Scripts.Value)
        {
            command.CommandText = script;
            command.ExecuteNonQuery();
        }
    }

    private static readonly Lazy<string[]> Scripts = new(() => new[] { "sqlite-storage.sql", "sqlite-reminders.sql" }.Select(Read).ToArray());

    private static string Read(string name)
    {
        using var stream = typeof(SqliteSchema).Assembly.GetManifestResourceStream("Oms.Grains.Storage." + name)
            ?? throw new InvalidOperationException(name + " is not embedded");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}

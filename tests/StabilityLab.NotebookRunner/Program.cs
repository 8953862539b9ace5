using System.Text.Json.Nodes;
using StabilityLab.Tests.Notebooks;

// stabilitylab-notebook-runner NOTEBOOK FEED VERSION: runs the notebook's code cells top to bottom, its
// #i "nuget: …" source pointed at FEED and its StabilityLab packages at VERSION, and prints each code cell's
// outputs (nbformat 4) as one JSON array. Exit 1 names the first cell that failed.
if (args.Length != 3)
{
    Console.Error.WriteLine("usage: StabilityLab.NotebookRunner NOTEBOOK FEED VERSION");
    return 2;
}
var (path, feed, version) = (Path.GetFullPath(args[0]), Path.GetFullPath(args[1]), args[2]);
try
{
    var outputs = await NotebookExecution.Run(path, NotebookFile.Read(path), feed, version);
    Console.Out.Write(new JsonArray(outputs.Select(o => (JsonNode)o.DeepClone()).ToArray()).ToJsonString());
    return 0;
}
catch (NotebookCellFailed e)
{
    Console.Error.WriteLine(e.Message);
    return 1;
}

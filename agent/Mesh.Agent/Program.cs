using Mesh.Agent;

AgentHost.Build(args).Run();

using Mesh.AllInOne;

AllInOneHost.Build(args).Run();

Console.WriteLine("loadtests: see its issue");
return 0;

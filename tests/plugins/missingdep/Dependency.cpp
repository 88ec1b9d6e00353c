// A library the "missingdep" test plugin links against; the test copies the plugin without it.
int strataTestDependency()
{
    return 42;
}

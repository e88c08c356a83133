"""Throwaway servers on 127.0.0.1 for the publish tests: started and stopped by each test module."""

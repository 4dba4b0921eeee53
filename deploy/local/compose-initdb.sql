CREATE DATABASE gateway OWNER routing;
